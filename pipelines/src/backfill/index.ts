// Backfills: replay Kafka history through the live engine's code into the stores, as BullMQ jobs.
export {
  BACKFILL_TARGETS,
  type BackfillRequest,
  type BackfillTarget,
  backfillRequestSchema,
  onlineRebuildRequest,
  parseBackfillRequest,
  parseBackfillTime,
  resolveBackfillViews,
} from './backfill-request.js'
export { type BackfillClient, type BackfillClientOptions, createBackfillClient } from './client.js'
export { type BackfillMetrics, createBackfillMetrics } from './metrics.js'
export { type BackfillPlan, type BackfillTask, type PlanBackfillOptions, planBackfill } from './planner.js'
export {
  BACKFILL_QUEUE,
  type BackfillQueueOptions,
  type BackfillResult,
  DEFAULT_BACKFILL_PREFIX,
  RANGE_QUEUE,
} from './queues.js'
export type { BackfillOfflineWriter } from './range-job.js'
export {
  closeTime,
  inBackfillRange,
  type PartitionOffsets,
  type PlannedRange,
  planRange,
  rangeSize,
  warmupMs,
} from './range-math.js'
export { replayMerge } from './replay-merge.js'
export { type ReplayOptions, type ReplayResult, replayPartition } from './replay-partition.js'
export type {
  MergeCheckpoint,
  PartitionCheckpoint,
  RangeProgress,
  ReplayCheckpoint,
  ReplayCounts,
  TaskProgress,
} from './replay-state.js'
export type {
  BackfillState,
  BackfillStatus,
  BackfillSummary,
  BackfillTotals,
  RangeStatus,
  TaskState,
  TaskStatus,
} from './status.js'
export { type BackfillWorker, type BackfillWorkerOptions, startBackfillWorker } from './worker.js'
