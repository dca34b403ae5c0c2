import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/**
 * Prometheus metrics of the feature engine. Created on the deployable's registry so one `/metrics` shows
 * everything the process does.
 */
export function createEngineMetrics(registry: Registry) {
  const registers = [registry]
  return {
    eventsProcessed: new Counter({
      name: 'freshet_engine_events_total',
      help: 'Input records processed (excluding replayed ones), by topic',
      labelNames: ['topic'] as const,
      registers,
    }),
    eventsReplayed: new Counter({
      name: 'freshet_engine_events_replayed_total',
      help: 'Input records re-read to rebuild window state after a restart or rebalance',
      labelNames: ['topic'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'freshet_engine_dead_lettered_total',
      help: 'Records sent to the dead-letter topic, by error code',
      labelNames: ['topic', 'code'] as const,
      registers,
    }),
    lateEvents: new Counter({
      name: 'freshet_engine_late_events_total',
      help: 'Events that arrived after all their windows had closed, by view',
      labelNames: ['view'] as const,
      registers,
    }),
    featuresEmitted: new Counter({
      name: 'freshet_engine_feature_records_total',
      help: 'Feature records published, by view and finality',
      labelNames: ['view', 'final'] as const,
      registers,
    }),
    alertsEmitted: new Counter({
      name: 'freshet_engine_alerts_total',
      help: 'Pattern alerts published, by pattern and kind (fired, resolved)',
      labelNames: ['pattern', 'kind'] as const,
      registers,
    }),
    watermarkLag: new Gauge({
      name: 'freshet_engine_watermark_lag_seconds',
      help: 'Wall clock minus the partition watermark',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'freshet_engine_consumer_lag_records',
      help: 'High watermark minus the next offset to process',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    openKeys: new Gauge({
      name: 'freshet_engine_open_window_keys',
      help: 'Keys holding open windows, summed over views and windows',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    transactionSeconds: new Histogram({
      name: 'freshet_engine_transaction_seconds',
      help: 'Time to publish one batch of output and commit it with the input offsets',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  }
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>
