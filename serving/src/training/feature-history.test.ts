import {
  carBattery,
  carLocation,
  carMotion,
  fromSimulation,
  runTestDriver,
  simulate,
  zoneDemand,
  zoneTraffic,
} from '@freshet/pipelines'
import { describe, expect, it } from 'vitest'
import { featureHistory } from './feature-history.js'

const MINUTE_MS = 60_000
const views = [carMotion, carBattery, carLocation, zoneTraffic, zoneDemand]
const simulation = { seed: 5, cars: 12, startMs: Date.UTC(2025, 0, 6, 7, 3), durationMs: 47 * MINUTE_MS }

describe('featureHistory', () => {
  it('gives, chunk by chunk, the final records and rides of one driver run over the whole history', () => {
    const chunks = [...featureHistory({ simulation, views, chunkMs: 10 * MINUTE_MS })]
    expect(chunks.map((c) => c.to - c.from)).toEqual([10, 10, 10, 10, 7].map((m) => m * MINUTE_MS))

    const endMs = simulation.startMs + simulation.durationMs
    const events = [...simulate(simulation)]
    const whole = runTestDriver({ views, events: fromSimulation(events) })
    const expected = whole.features.filter((r) => r.final && r.windowEnd <= endMs)
    const chunked = chunks.flatMap((c) => c.records)
    // Identity and values are a pure function of the events; watermarks depend on how input was fetched.
    const key = (r: (typeof expected)[number]) => `${r.id} ${r.eventTime} ${JSON.stringify(r.features)}`
    expect(chunked.map(key).sort()).toEqual(expected.map(key).sort())
    expect(new Set(chunked.map((r) => r.view))).toEqual(new Set(views.map((v) => v.name)))

    const rides = events.flatMap((e) =>
      e.kind === 'ride' && e.event.type === 'ride_completed' ? [e.event] : [],
    )
    expect(rides.length).toBeGreaterThan(3)
    expect(chunks.flatMap((c) => c.rides)).toEqual(rides)
  })

  it('marks each final record available no earlier than its window end plus grace', () => {
    const [chunk] = featureHistory({ simulation: { ...simulation, durationMs: 20 * MINUTE_MS }, views })
    const carRecords = chunk!.records.filter((r) => r.view !== 'zone_traffic' && r.view !== 'zone_demand')
    expect(carRecords.length).toBeGreaterThan(0)
    for (const r of carRecords) expect(r.watermark).toBeGreaterThanOrEqual(r.windowEnd + 30_000)
    // Fetches of ~2 s: a window is mostly published within seconds of closing, as live (a partition whose only
    // cars are silent, in a dropout, holds its watermark back: it has no wall clock to advance it here).
    const prompt = carRecords.filter((r) => r.watermark < r.windowEnd + 36_000)
    expect(prompt.length).toBeGreaterThan(0.9 * carRecords.length)
  })
})
