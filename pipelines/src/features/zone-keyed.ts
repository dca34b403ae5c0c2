/**
 * Shared by the zone views, which aggregate by a field that is not the Kafka message key.
 *
 * Partitioning: telemetry is keyed by car and ride events by car or ride, so one zone's events are spread
 * over every partition. The live runtime computes windows per input partition, so until the engine gains
 * a repartition step (re-key by zone through an internal topic, as Kafka Streams does before a
 * `groupBy`), each partition publishes its own partial record for the same zone window under the same
 * record id. Defining the views now fixes their names and semantics; the repartition is the engine
 * owner's job. The offline test driver reports such windows in `splitWindows`.
 *
 * Time to live: `final` emission publishes nothing for a window without events, so a zone that goes quiet
 * keeps its last (non-zero) counts in the online store. A short ttl turns "no record for a while" into
 * an expired feature, which serving reads as zero: the next record is due one slide (1 min) after the
 * last, so 5 min leaves room for a few minutes of processing lag.
 */
export const ZONE_TTL = '5m'
