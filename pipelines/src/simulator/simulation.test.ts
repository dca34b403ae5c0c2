import { describe, expect, it } from 'vitest'
import { carTelemetrySchema, rideEventSchema } from '../events/event-schema.js'
import type { RideEvent } from '../events/ride-event.js'
import { type SimEvent, Simulation, simulate } from './simulation.js'

const MINUTE_MS = 60_000
/** Monday 2025-01-06 07:00 UTC: the morning rush, so rides happen from the first minutes. */
const MONDAY_7AM = Date.UTC(2025, 0, 6, 7)

const run = (seed: number, minutes = 20, cars = 20): SimEvent[] => [
  ...simulate({ seed, cars, startMs: MONDAY_7AM, durationMs: minutes * MINUTE_MS }),
]

/** Two busy hours, shared by the checks that need many complete ride lifecycles. */
const busy = run(7, 120, 30)
/** The same two hours without telemetry dropouts, for checks of the undisturbed sampling clock. */
const busyConnected = [
  ...simulate({
    seed: 7,
    cars: 30,
    startMs: MONDAY_7AM,
    durationMs: 120 * MINUTE_MS,
    telemetryDropoutsPerCarHour: 0,
  }),
]

describe('simulate', () => {
  it('gives byte-identical events for the same seed and options', () => {
    const a = run(42)
    const b = run(42)
    expect(a.length).toBeGreaterThan(20 * 20 * 60 * 0.95)
    expect(b).toEqual(a)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })

  it('gives different events for a different seed', () => {
    expect(JSON.stringify(run(43))).not.toBe(JSON.stringify(run(42)))
  })

  it('emits only events that pass their schema', () => {
    for (const e of busy) {
      if (e.kind === 'telemetry') carTelemetrySchema.schema.parse(e.event)
      else rideEventSchema.schema.parse(e.event)
    }
    expect(busy.some((e) => e.kind === 'ride' && e.event.type === 'ride_completed')).toBe(true)
  })

  it('emits events in non-decreasing event time, overall and per Kafka key', () => {
    const lastByKey = new Map<string, number>()
    const outOfOrder: SimEvent[] = []
    let last = 0
    for (const e of busy) {
      const key = e.kind === 'telemetry' ? carTelemetrySchema.key(e.event) : rideEventSchema.key(e.event)
      if (e.event.ts < last || e.event.ts < (lastByKey.get(key) ?? 0)) outOfOrder.push(e)
      last = e.event.ts
      lastByKey.set(key, e.event.ts)
    }
    expect(outOfOrder).toEqual([])
  })

  it('samples each car about once per telemetry interval while it stays connected', () => {
    let minGap = Number.POSITIVE_INFINITY
    let maxGap = 0
    const lastTs = new Map<string, number>()
    for (const e of busyConnected) {
      if (e.kind !== 'telemetry') continue
      const prev = lastTs.get(e.event.carId)
      if (prev !== undefined) {
        minGap = Math.min(minGap, e.event.ts - prev)
        maxGap = Math.max(maxGap, e.event.ts - prev)
      }
      lastTs.set(e.event.carId, e.event.ts)
    }
    expect(lastTs.size).toBe(30)
    // Default period 1000 ms with ±50 ms jitter.
    expect(minGap).toBeGreaterThanOrEqual(950)
    expect(maxGap).toBeLessThanOrEqual(1050)
  })

  it('keeps every ride lifecycle in order: requested, assigned, picked up, completed, by one car', () => {
    const byRide = new Map<string, RideEvent[]>()
    for (const e of busy) {
      if (e.kind !== 'ride') continue
      const list = byRide.get(e.event.rideId) ?? []
      list.push(e.event)
      byRide.set(e.event.rideId, list)
    }
    let completed = 0
    for (const [rideId, events] of byRide) {
      const types = events.map((e) => e.type).join(' > ')
      // A ride may still be open when the run ends, so any prefix of a valid lifecycle is fine.
      expect(types, rideId).toMatch(
        /^ride_requested( > ride_assigned( > ride_picked_up( > ride_completed)?)?)?( > ride_cancelled)?$/,
      )
      expect(types, rideId).not.toMatch(/ride_picked_up > ride_cancelled/)
      const cars = new Set(events.flatMap((e) => ('carId' in e && e.carId !== undefined ? [e.carId] : [])))
      expect(cars.size, rideId).toBeLessThanOrEqual(1)
      const done = events.find((e) => e.type === 'ride_completed')
      const pickedUp = events.find((e) => e.type === 'ride_picked_up')
      if (done?.type === 'ride_completed' && pickedUp?.type === 'ride_picked_up') {
        completed++
        expect(done.requestedAt).toBe(events[0]?.ts)
        expect(done.pickedUpAt).toBe(pickedUp.ts)
        expect(done.actualDurationS).toBe((done.ts - pickedUp.ts) / 1000)
        expect(pickedUp.waitS).toBe((pickedUp.ts - done.requestedAt) / 1000)
      }
    }
    expect(completed).toBeGreaterThan(20)
  })

  it('reports the status a ride implies on the assigned car while it is served', () => {
    const expected = new Map<string, string>()
    const mismatches: string[] = []
    let checked = 0
    for (const e of busy) {
      if (e.kind === 'telemetry') {
        const want = expected.get(e.event.carId)
        if (want === undefined) continue
        checked++
        if (e.event.status !== want)
          mismatches.push(`${e.event.carId}@${e.event.ts}: ${e.event.status} != ${want}`)
        continue
      }
      const ev = e.event
      if (!('carId' in ev) || ev.carId === undefined) continue
      if (ev.type === 'ride_assigned') expected.set(ev.carId, 'to_pickup')
      else if (ev.type === 'ride_picked_up') expected.set(ev.carId, 'on_trip')
      else expected.delete(ev.carId)
    }
    expect(mismatches).toEqual([])
    expect(checked).toBeGreaterThan(10_000)
  })

  it('step() returns each event once, however the time is sliced', () => {
    const options = { seed: 5, cars: 10, startMs: MONDAY_7AM }
    const whole = new Simulation(options).step(MONDAY_7AM + 10 * MINUTE_MS)
    const sliced = new Simulation(options)
    const parts: SimEvent[] = []
    for (let t = MONDAY_7AM + 777; t <= MONDAY_7AM + 10 * MINUTE_MS; t += 12_345)
      parts.push(...sliced.step(t))
    parts.push(...sliced.step(MONDAY_7AM + 10 * MINUTE_MS))
    expect(parts).toEqual(whole)
  })

  it('rejects nonsense options with CONFIG_INVALID', () => {
    expect(() => new Simulation({ startMs: MONDAY_7AM, cars: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => new Simulation({ startMs: 1_700_000_000 })).toThrow(/invalid simulator options/)
  })
})
