export * from './clickhouse/index.js'
export {
  BACKFILL_API_PREFIX,
  type BackfillApiOptions,
  createBackfillApi,
  withBackfillApi,
} from './http/backfill-api.js'
export * from './http/index.js'
export * from './redis/index.js'
export { type BackoffPolicy, DEFAULT_BACKOFF } from './sink/backoff.js'
export { DEAD_LETTER_TOPIC, deadLetterMessage } from './sink/dead-letter.js'
export { createSinkMetrics, type SinkMetrics } from './sink/metrics.js'
export {
  type ReplayOnlineStoreOptions,
  type ReplaySummary,
  replayOnlineStore,
} from './sink/replay-online-store.js'
export {
  type RunSinkOptions,
  runSink,
  type Sink,
  type SinkCommit,
  type SinkOfflineWriter,
  type SinkStatus,
} from './sink/run-sink.js'
export {
  createFeatureRecordValidator,
  type FeatureMessage,
  type FeatureRecordValidator,
  type SinkView,
  type Verdict,
} from './sink/validate.js'
