import { type StopOutcome, stopManaged } from '../support/managed-service.js'
import { type KafkaServiceOptions, resolveKafkaOptions } from './options.js'
import { kafkaService } from './service.js'

export type KafkaStopResult = StopOutcome

/**
 * Stops our broker for this data dir: SIGTERM (Kafka then shuts down in a controlled way), SIGKILL after
 * `stopTimeoutMs`. A no-op resolving `wasRunning: false` when nothing of ours runs. Data is kept.
 *
 * @example
 * const { wasRunning, tookMs } = await stopKafka({ dataDir: '/tmp/freshet' })
 */
export function stopKafka(options: KafkaServiceOptions = {}): Promise<KafkaStopResult> {
  return stopManaged(kafkaService(resolveKafkaOptions(options)))
}
