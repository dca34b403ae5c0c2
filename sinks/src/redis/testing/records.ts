import { type FeatureRecord, featureRecordId } from '@freshet/feature-store'

/** A recent whole minute, so keys written by tests are not already past their ttl by the server's clock. */
export const T0 = Math.floor(Date.now() / 60_000) * 60_000

/** The ttl the tests give every view: 2 h, like the real car views. */
export const TEST_TTL_MS = 2 * 60 * 60_000

/** ttl lookup for the writer and reader under test: every view but `unknown_view`. */
export function testTtl(viewRef: string): number | undefined {
  return viewRef.startsWith('unknown_view:') ? undefined : TEST_TTL_MS
}

const WINDOW_MS: Record<string, number> = { '5m': 300_000, '15m': 900_000 }

/**
 * A feature record with test defaults: car_motion v1, car-0001, a final 5m window ending at T0.
 *
 * @example
 * featureRecord({ window: '15m', windowEnd: T0 + 60_000, features: { speed_kmh_mean_15m: 42 } })
 */
export function featureRecord(overrides: Partial<FeatureRecord> = {}): FeatureRecord {
  const view = overrides.view ?? 'car_motion'
  const version = overrides.version ?? 1
  const entity = overrides.entity ?? 'car-0001'
  const window = overrides.window ?? '5m'
  const windowEnd = overrides.windowEnd ?? T0
  const windowStart = overrides.windowStart ?? windowEnd - (WINDOW_MS[window] ?? 300_000)
  const final = overrides.final ?? true
  return {
    id: featureRecordId(`${view}:v${version}`, entity, window, windowStart, windowEnd),
    view,
    version,
    entity,
    window,
    windowStart,
    windowEnd,
    eventTime: windowEnd,
    watermark: windowEnd,
    final,
    features: {},
    ...overrides,
  }
}
