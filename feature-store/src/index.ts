// Aggregators: the mergeable, serialisable aggregation protocol and the built-ins
export type {
  Aggregator,
  AggregatorInput,
  AggregatorResult,
  AnyAggregator,
} from './aggregators/aggregator.js'
export type { ChangeState } from './aggregators/change.js'
export { delta, rate } from './aggregators/change.js'
export { count } from './aggregators/count.js'
export type { DistinctCountAggregator, DistinctCountOptions } from './aggregators/distinct-count.js'
export { distinctCount } from './aggregators/distinct-count.js'
export { max, min } from './aggregators/extremes.js'
export { first, last } from './aggregators/first-last.js'
export type { HyperLogLogState } from './aggregators/hyperloglog.js'
export type { MeanState } from './aggregators/mean.js'
export { mean } from './aggregators/mean.js'
export type { PercentileAggregator, PercentileOptions } from './aggregators/percentile.js'
export { percentile, percentileId } from './aggregators/percentile.js'
export { AGGREGATORS, resolveAggregator } from './aggregators/registry.js'
export { sum } from './aggregators/sum.js'
export type { TimedPoint } from './aggregators/timed-point.js'
export type { VarianceState } from './aggregators/variance.js'
export { stddev, variance } from './aggregators/variance.js'
export { featureName, snakeCase } from './definitions/feature-names.js'
export type {
  AnyFeatureView,
  Emission,
  EventSource,
  FeatureInput,
  FeatureOutput,
  FeatureSpec,
  FeatureView,
  FeatureViewInput,
} from './definitions/feature-view.js'
export { defineFeatureView } from './definitions/feature-view.js'
export type { ErrorCode, FreshetErrorOptions } from './errors.js'
export { ERROR_CODES, FreshetError, isFreshetError } from './errors.js'
// Records: the synthetic feature event shared by the engine, the sinks and serving
export type { FeatureRecord } from './records/feature-record.js'
export {
  FEATURE_RECORD_SCHEMA,
  featureRecordId,
  featureRecordV1,
  featureTopicName,
} from './records/feature-record.js'
// Registry: registered view versions (schema, entity, ttl, owner, content hash), immutability checks, store port
export * from './registry/index.js'
// Store ports: what sinks, serving and training see of the online and offline stores
export * from './store/ports.js'
// Windows: durations, window specs and the pure per-key window state machine
export type {
  FieldAggregators,
  FieldValue,
  FieldValues,
  FieldVector,
  WindowAggregates,
} from './windows/aggregation-plan.js'
export type { Duration } from './windows/duration.js'
export { formatDuration, parseDuration } from './windows/duration.js'
export type { MergeOutcome } from './windows/window-merger.js'
export { WindowMerger } from './windows/window-merger.js'
export type { AddOutcome, WindowResult } from './windows/window-result.js'
export { compareWindowResults } from './windows/window-result.js'
export type {
  AlignedWindowSpec,
  HoppingWindow,
  SessionWindow,
  SlidingWindow,
  TumblingWindow,
  WindowBounds,
  WindowOptions,
  WindowSpec,
} from './windows/window-spec.js'
export { assignWindows, hopping, session, sliding, tumbling } from './windows/window-spec.js'
export type { WindowedAggregationJSON, WindowedAggregationOptions } from './windows/windowed-aggregation.js'
export { WindowedAggregation } from './windows/windowed-aggregation.js'
