/**
 * One input partition's aggregator states of a closed window of a repartitioned view (a zone over car-keyed
 * telemetry): what the first phase publishes to the view's repartition topic, keyed by `key`, and the second
 * phase merges with the other partitions' (`ViewMerger`).
 */
export interface WindowPartial {
  /** View ref, `zone_traffic:v1`. */
  view: string
  /** Window label, `15m`. */
  window: string
  key: string
  start: number
  end: number
  /** JSON aggregator states in the view's (field × aggregator) layout. */
  state: unknown[]
}
