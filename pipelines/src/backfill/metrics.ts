import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/**
 * Prometheus metrics of the backfill worker, on the hosting deployable's registry (the sink's `/metrics`).
 *
 * @example
 * const metrics = createBackfillMetrics(registry)
 * startBackfillWorker({ …, metrics })
 */
export function createBackfillMetrics(registry: Registry) {
  const registers = [registry]
  return {
    eventsProcessed: new Counter({
      name: 'freshet_backfill_events_total',
      help: 'Input records replayed by backfill children (each counted once across retries), by topic',
      labelNames: ['topic'] as const,
      registers,
    }),
    recordsWritten: new Counter({
      name: 'freshet_backfill_records_written_total',
      help: 'Feature records a backfill wrote, by view version and store',
      labelNames: ['view', 'store'] as const,
      registers,
    }),
    jobSeconds: new Histogram({
      name: 'freshet_backfill_job_seconds',
      help: 'Duration of backfill jobs: one attempt of a child (range, merge), or a backfill from submission to end',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers,
    }),
    activeChildren: new Gauge({
      name: 'freshet_backfill_active_children',
      help: 'Backfill children this process is running',
      registers,
    }),
  }
}

export type BackfillMetrics = ReturnType<typeof createBackfillMetrics>
