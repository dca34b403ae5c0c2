import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/**
 * Prometheus metrics of the sink, created on the deployable's registry so one `/metrics` shows the whole process.
 * Alert on `freshet_sink_stalled_partitions > 0` for long (a store is down: nothing is committed meanwhile) and
 * on `freshet_sink_dead_lettered_total` rising (the engine publishes records the definitions do not describe).
 *
 * @example
 * const metrics = createSinkMetrics(registry)
 * const sink = await runSink({ kafka, views, online, offline, metrics })
 */
export function createSinkMetrics(registry: Registry) {
  const registers = [registry]
  return {
    rows: new Counter({
      name: 'freshet_sink_rows_total',
      help: 'Feature records written to the stores and committed, by view',
      labelNames: ['view'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'freshet_sink_dead_lettered_total',
      help: 'Messages rejected to the dead-letter topic instead of being written, by source topic and error code',
      labelNames: ['topic', 'code'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'freshet_sink_consumer_lag_records',
      help: 'High watermark minus the committed offset, after each commit',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    storeWriteSeconds: new Histogram({
      name: 'freshet_sink_store_write_seconds',
      help: 'Time for a store to acknowledge one batch (online = Redis, offline = ClickHouse), failures included',
      labelNames: ['store'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    freshnessSeconds: new Histogram({
      name: 'freshet_sink_feature_freshness_seconds',
      help: 'Wall clock at the store acknowledgement minus the record event time, by store',
      labelNames: ['store'] as const,
      // Final records land a window grace and a watermark after their window end: seconds to minutes.
      buckets: [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    retries: new Counter({
      name: 'freshet_sink_retries_total',
      help: 'Failed attempts that left a batch uncommitted for a retry, by stage (online, offline, dead_letter, commit)',
      labelNames: ['stage'] as const,
      registers,
    }),
    stalledPartitions: new Gauge({
      name: 'freshet_sink_stalled_partitions',
      help: 'Partitions holding a failed batch: not committing, retrying with backoff',
      registers,
    }),
    onlineOutcomes: new Counter({
      name: 'freshet_sink_online_records_total',
      help: 'Records sent to the online store by outcome: stored, not_newer (replays), expired (past ttl)',
      labelNames: ['outcome'] as const,
      registers,
    }),
  }
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>
