import type { ClusterInfo } from '@freshet/pipelines'
import { managedStatus } from '../support/managed-service.js'
import { type KafkaServiceOptions, kafkaBootstrap, resolveKafkaOptions } from './options.js'
import { kafkaService } from './service.js'

export interface KafkaStatus {
  state: 'running' | 'stopped'
  pid: number | null
  brokers: string[]
  /** Cluster metadata when running and answering; null otherwise. */
  probe: ClusterInfo | null
  /** Why the probe failed while the process runs (still starting, wedged). */
  probeError: string | null
}

/**
 * Whether our broker for this data dir runs, and what its metadata probe answers.
 *
 * @example
 * const { state, probe } = await kafkaStatus({ dataDir: '/tmp/freshet' })
 */
export async function kafkaStatus(options: KafkaServiceOptions = {}): Promise<KafkaStatus> {
  const o = resolveKafkaOptions(options)
  return { ...(await managedStatus(kafkaService(o))), brokers: [kafkaBootstrap(o)] }
}
