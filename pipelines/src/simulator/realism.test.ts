import { beforeAll, describe, expect, it } from 'vitest'
import type { CarTelemetry } from '../events/car-telemetry.js'
import type { RideCompleted, RideEvent } from '../events/ride-event.js'
import { simulate } from './simulation.js'

/**
 * Statistical checks over one simulated weekday: the properties an ETA model and the streaming features rely on.
 * Tolerances are loose on purpose (the seed is fixed, but the checks should survive model tweaks).
 */
const MONDAY = Date.UTC(2025, 0, 6)
const DAY_MS = 86_400_000

const completed: RideCompleted[] = []
const requests: RideEvent[] = []
let minBattery = Number.POSITIVE_INFINITY
let maxBattery = Number.NEGATIVE_INFINITY
const statuses = new Set<CarTelemetry['status']>()

beforeAll(() => {
  // 5 s telemetry keeps a whole day fast; cars still move continuously between samples.
  const day = simulate({
    seed: 2025,
    cars: 40,
    startMs: MONDAY,
    durationMs: DAY_MS,
    telemetryIntervalMs: 5000,
  })
  for (const e of day) {
    if (e.kind === 'telemetry') {
      minBattery = Math.min(minBattery, e.event.batteryPct)
      maxBattery = Math.max(maxBattery, e.event.batteryPct)
      statuses.add(e.event.status)
    } else if (e.event.type === 'ride_completed') completed.push(e.event)
    else if (e.event.type === 'ride_requested') requests.push(e.event)
  }
})

const hourOf = (ms: number) => new Date(ms).getUTCHours()
const isRush = (h: number) => (h >= 7 && h < 9) || (h >= 16 && h < 19)
const isNight = (h: number) => h < 6
/** Seconds per km over a set of trips: duration normalised by how far they went. */
const pace = (trips: RideCompleted[]) =>
  trips.reduce((s, t) => s + t.actualDurationS, 0) / trips.reduce((s, t) => s + t.distanceKm, 0)
const meanDuration = (trips: RideCompleted[]) =>
  trips.reduce((s, t) => s + t.actualDurationS, 0) / trips.length

describe('one simulated weekday', () => {
  it('completes a realistic number of rides', () => {
    // 40 cars × 1.2 requests per car-hour ≈ 1150 requests; most should be served.
    expect(requests.length).toBeGreaterThan(700)
    expect(completed.length).toBeGreaterThan(0.75 * requests.length)
  })

  it('has more requests in the morning rush than in the small hours', () => {
    const inHours = (from: number, to: number) =>
      requests.filter((r) => hourOf(r.ts) >= from && hourOf(r.ts) < to).length
    expect(inHours(7, 9)).toBeGreaterThan(3 * inHours(2, 4))
  })

  it('has trip durations that grow with distance', () => {
    expect(
      pearson(
        completed.map((t) => t.distanceKm),
        completed.map((t) => t.actualDurationS),
      ),
    ).toBeGreaterThan(0.7)
  })

  it('has slower downtown trips in rush hour than at night', () => {
    const downtown = completed.filter((t) => t.pickupZone === 'z-downtown' || t.dropoffZone === 'z-downtown')
    const rush = downtown.filter((t) => isRush(hourOf(t.pickedUpAt)))
    const night = downtown.filter((t) => isNight(hourOf(t.pickedUpAt)))
    expect(rush.length).toBeGreaterThan(50)
    expect(night.length).toBeGreaterThan(15)
    expect(pace(rush)).toBeGreaterThan(1.4 * pace(night))
    expect(meanDuration(rush)).toBeGreaterThan(1.2 * meanDuration(night))
  })

  it('keeps batteries within 0–100 % and charges cars that run low', () => {
    expect(minBattery).toBeGreaterThanOrEqual(0)
    expect(maxBattery).toBeLessThanOrEqual(100)
    expect([...statuses].sort()).toEqual(['charging', 'idle', 'offline', 'on_trip', 'to_pickup'])
  })
})

function pearson(xs: number[], ys: number[]): number {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length
  const mx = mean(xs)
  const my = mean(ys)
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx
    const dy = ys[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxy / Math.sqrt(sxx * syy)
}
