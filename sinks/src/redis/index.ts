// The Redis online store: writer (sinks) and reader (serving) of the feature store's online ports.
export type { RedisConnectionOptions } from './client.js'
export { DEFAULT_KEY_PREFIX, featureKey } from './keys.js'
export type { RedisOnlineReaderOptions } from './reader.js'
export { createRedisOnlineReader } from './reader.js'
export type { OnlineWriteSummary, RedisOnlineWriterOptions } from './writer.js'
export { createRedisOnlineWriter } from './writer.js'
