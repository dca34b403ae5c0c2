import { describe, expect, it } from 'vitest'
import type { CarTelemetry } from '../events/car-telemetry.js'
import { DROPOUT_MAX_MS, DROPOUT_MIN_MS } from './dropouts.js'
import type { SimulatorOptions } from './options.js'
import { type SimEvent, Simulation } from './simulation.js'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
/** Monday 2025-01-06 07:00 UTC: the morning rush. */
const MONDAY_7AM = Date.UTC(2025, 0, 6, 7)
/** A busy fleet (the demo's demand), so cars spend much of the hour on trips. */
const base: SimulatorOptions = { seed: 3, cars: 20, ridesPerCarHour: 20, startMs: MONDAY_7AM }
/** Longest gap between two samples of a connected car: 1000 ms period, ±50 ms jitter. */
const MAX_CONNECTED_GAP_MS = 1050

function runFor(options: SimulatorOptions, durationMs: number) {
  const sim = new Simulation(options)
  const events = sim.step(options.startMs + durationMs)
  return { events, stats: sim.stats }
}

const telemetryOf = (events: readonly SimEvent[]) =>
  events.flatMap((e) => (e.kind === 'telemetry' ? [e.event] : []))

interface Gap {
  before: CarTelemetry
  after: CarTelemetry
}

/** Consecutive samples of a car further apart than a connected car ever is. */
function gapsOf(telemetry: readonly CarTelemetry[]): Gap[] {
  const last = new Map<string, CarTelemetry>()
  const gaps: Gap[] = []
  for (const e of telemetry) {
    const before = last.get(e.carId)
    if (before && e.ts - before.ts > MAX_CONNECTED_GAP_MS) gaps.push({ before, after: e })
    last.set(e.carId, e)
  }
  return gaps
}

describe('telemetry dropouts', () => {
  it('remove samples and nothing else: the same run minus 20–120 s stretches of one car', () => {
    const connected = runFor({ ...base, telemetryDropoutsPerCarHour: 0 }, HOUR_MS)
    const withDropouts = runFor(base, HOUR_MS) // the default rate
    const rides = (events: readonly SimEvent[]) => events.filter((e) => e.kind === 'ride')
    expect(rides(withDropouts.events)).toEqual(rides(connected.events))

    const kept = telemetryOf(withDropouts.events)
    const all = telemetryOf(connected.events)
    // The kept samples are the connected run's samples, unchanged and in order (a subsequence).
    const keptIds = new Set(kept.map((e) => `${e.carId}@${e.ts}`))
    expect(keptIds.size).toBe(kept.length)
    expect(all.filter((e) => keptIds.has(`${e.carId}@${e.ts}`))).toEqual(kept)
    expect(kept.length).toBeLessThan(all.length)
    const gaps = gapsOf(kept)
    expect(gaps.length).toBeGreaterThan(20)
    for (const { before, after } of gaps) {
      expect(after.ts - before.ts).toBeGreaterThan(DROPOUT_MIN_MS)
      expect(after.ts - before.ts).toBeLessThanOrEqual(DROPOUT_MAX_MS + 2 * MAX_CONNECTED_GAP_MS)
    }
    // A dropout still running when the hour ends has no closing sample, so it is not a gap yet.
    expect(withDropouts.stats.telemetryDropouts).toBeGreaterThanOrEqual(gaps.length)
    expect(withDropouts.stats.telemetryDropouts).toBeLessThanOrEqual(gaps.length + base.cars!)
    expect(withDropouts.stats.telemetry).toBe(kept.length)
    expect(connected.stats.telemetryDropouts).toBe(0)
    expect(gapsOf(all)).toEqual([])
  })

  it('start at the configured rate per hour on the road, so cars on a trip go silent too', () => {
    const perCarHour = 10
    const { events } = runFor({ ...base, telemetryDropoutsPerCarHour: perCarHour }, HOUR_MS)
    const telemetry = telemetryOf(events)
    // On a trip a car is always on the road: at about one sample a second, connected trip hours are
    // (on-trip samples) / 3600, and dropouts starting then should be Poisson with mean rate × those hours.
    const tripHours = telemetry.filter((e) => e.status === 'on_trip').length / 3600
    const expected = perCarHour * tripHours
    const onTrip = gapsOf(telemetry).filter((g) => g.before.status === 'on_trip')
    expect(expected).toBeGreaterThan(30)
    expect(Math.abs(onTrip.length - expected)).toBeLessThan(4 * Math.sqrt(expected))
    // Long enough to alert on: most on-trip silences last over 30 s.
    expect(onTrip.filter((g) => g.after.ts - g.before.ts > 30_000).length).toBeGreaterThan(
      0.8 * onTrip.length,
    )
  })

  it('depend on the seed alone: the same options give the same dropouts, another seed other ones', () => {
    const a = gapsOf(telemetryOf(runFor(base, 30 * MINUTE_MS).events))
    const b = gapsOf(telemetryOf(runFor(base, 30 * MINUTE_MS).events))
    const c = gapsOf(telemetryOf(runFor({ ...base, seed: 4 }, 30 * MINUTE_MS).events))
    expect(a.length).toBeGreaterThan(0)
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('rejects a negative rate with CONFIG_INVALID', () => {
    expect(() => new Simulation({ ...base, telemetryDropoutsPerCarHour: -1 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})
