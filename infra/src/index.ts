/**
 * @freshet/infra: start, health-check and stop real local services (Kafka from Maven Central jars,
 * Debian's Redis) without Docker. The CLI lives in cli.ts; everything here takes an options object.
 */

export { type InfraConfig, loadConfig, localServicesOptions } from './config.js'
export type {
  KafkaJars,
  KafkaServiceOptions,
  KafkaStartResult,
  KafkaStatus,
  KafkaStopResult,
} from './kafka/index.js'
export {
  ensureKafkaJars,
  KAFKA_DEFAULTS,
  kafkaStatus,
  startKafka,
  stopKafka,
} from './kafka/index.js'
export type { EnsureTopicsResult } from './kafka/topics.js'
export { ensureTopicCatalog } from './kafka/topics.js'
export type { LocalServices, LocalServicesOptions } from './local-services.js'
export { localServicesStatus, startLocalServices, stopLocalServices } from './local-services.js'
export type {
  RedisProbe,
  RedisServiceOptions,
  RedisStartResult,
  RedisStatus,
  RedisStopResult,
} from './redis/index.js'
export {
  ensureRedisInstalled,
  REDIS_DEFAULTS,
  redisStatus,
  startRedis,
  stopRedis,
} from './redis/index.js'
