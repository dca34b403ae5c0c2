/**
 * Shared by the zone views, which aggregate by a field that is not the Kafka message key.
 *
 * Partitioning: telemetry is keyed by car and ride events by car or ride, so one zone's events are spread
 * over every partition. The views are declared `repartition: true`: each input partition aggregates its own
 * events per zone and window (lateness judged by that partition's watermark, like any view), then the engine
 * merges the partial windows by zone through an internal topic and emits a window once every input partition
 * is past it (see pipelines/src/engine/merge-processor.ts). The offline test driver merges the same way, so
 * live and offline agree record for record.
 *
 * Time to live: `final` emission publishes nothing for a window without events, so a zone that goes quiet
 * keeps its last (non-zero) counts in the online store. A short ttl turns "no record for a while" into
 * an expired feature, which serving reads as zero: the next record is due one slide (1 min) after the
 * last, so 5 min leaves room for a few minutes of processing lag.
 */
export const ZONE_TTL = '5m'
