import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The serving process's Prometheus metrics (`GET /metrics`). */
export interface ServingMetrics {
  readonly registry: Registry
  requestSeconds: Histogram<'route' | 'method' | 'status'>
  /** Cars asked about, by endpoint and outcome (scored, unknown-car, feature-unavailable). */
  cars: Counter<'endpoint' | 'outcome'>
  /** Inputs that were not fed their stored value: `defaulted` or `refused`, per feature. Fresh inputs are not counted. */
  fallbacks: Counter<'feature' | 'action'>
  /** 1 for the model version serving now. */
  modelInfo: Gauge<'version'>
  modelReloads: Counter<'outcome'>
}

/**
 * Registers the serving metrics on `registry`.
 *
 * @example
 * const registry = new Registry(); collectDefaultMetrics({ register: registry })
 * const metrics = createServingMetrics(registry)
 */
export function createServingMetrics(registry: Registry): ServingMetrics {
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'serving_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    cars: new Counter({
      name: 'serving_eta_cars_total',
      help: 'Cars asked about, by endpoint and outcome',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'serving_feature_fallbacks_total',
      help: 'Model inputs whose stored value was missing, expired or null: fed the default, or refused',
      labelNames: ['feature', 'action'],
      registers: [registry],
    }),
    modelInfo: new Gauge({
      name: 'serving_model_info',
      help: 'The model version serving (value 1)',
      labelNames: ['version'],
      registers: [registry],
    }),
    modelReloads: new Counter({
      name: 'serving_model_reloads_total',
      help: 'Model reloads by outcome (swapped, unchanged, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  }
}
