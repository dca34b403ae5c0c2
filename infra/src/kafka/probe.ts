import { type ClusterInfo, createKafka } from '@freshet/pipelines'

/**
 * Asks the broker for cluster metadata through the pipelines admin client (the repo's only kafkajs user).
 * Counts as ready only once a broker is registered: the controller alone answering is not enough to
 * create topics.
 */
export async function probeKafka(brokers: readonly string[], timeoutMs: number): Promise<ClusterInfo> {
  const kafka = createKafka({ brokers, clientId: 'freshet-infra' })
  try {
    const info = await kafka.probe({ timeoutMs })
    if (info.brokers < 1) throw new Error(`kafka at ${brokers.join(',')} has no registered broker yet`)
    return info
  } finally {
    await kafka.close()
  }
}
