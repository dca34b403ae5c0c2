import { defineFeatureView, hopping, last, rate } from '@freshet/feature-store'
import { GRACE, OWNER, telemetrySource } from './sources.js'

/**
 * Battery level and how fast it changes, over the last 15 minutes, recomputed every minute.
 *
 * Outputs:
 * - `battery_pct_rate_15m`: percentage points per hour between the window's first and last sample;
 *   negative while draining, positive while charging, null with fewer than two samples.
 * - `battery_pct_last_15m`: the level at the window's last sample, which the rate is only useful next to
 *   ("-12 %/h with 15 % left" and "with 80 % left" call for different dispatch decisions).
 *
 * @example
 * const hoursLeft = f.battery_pct_rate_15m < 0 ? f.battery_pct_last_15m / -f.battery_pct_rate_15m : Infinity
 */
export const carBattery = defineFeatureView({
  name: 'car_battery',
  version: 1,
  entity: 'car',
  description:
    'Battery of each car over the last 15 minutes: drain rate in %/h (negative when draining, positive when ' +
    'charging) and the latest level, emitted every minute once the window closes.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: GRACE,
  emit: 'final',
  features: { batteryPct: [rate, last] },
  ttl: '2h',
})
