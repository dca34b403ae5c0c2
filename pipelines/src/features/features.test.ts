import { type AnyFeatureView, distinctCount } from '@freshet/feature-store'
import { describe, expect, it } from 'vitest'
import { fromSimulation } from '../driver/driver-input.js'
import { runTestDriver } from '../driver/test-driver.js'
import type { FeatureRecord } from '../engine/feature-record.js'
import { PartitionProcessor } from '../engine/partition-processor.js'
import { ViewMerger } from '../engine/view-merger.js'
import { CAR_STATUSES, type CarTelemetry } from '../events/car-telemetry.js'
import { encodeEvent } from '../events/codec.js'
import type { EventSchema } from '../events/event-schema.js'
import { carTelemetrySchema, rideEventSchema } from '../events/event-schema.js'
import type { RideEvent } from '../events/ride-event.js'
import type { ConsumedRecord } from '../kafka/kafka.js'
import { simulate } from '../simulator/simulation.js'
import {
  carBattery,
  carDistance,
  carLocation,
  carMotion,
  carStatus,
  featureViews,
  zoneDemand,
  zoneTraffic,
} from './index.js'

const MINUTE_MS = 60_000
/** Monday 2025-01-06 07:00 UTC: the morning rush, so rides happen from the first minutes. */
const MONDAY_7AM = Date.UTC(2025, 0, 6, 7)
const events = [...simulate({ seed: 1, cars: 10, startMs: MONDAY_7AM, durationMs: 30 * MINUTE_MS })]
const telemetry = events.flatMap((e) => (e.kind === 'telemetry' ? [e.event] : []))
const rides = events.flatMap((e) => (e.kind === 'ride' ? [e.event] : []))

/** All events of one source through one partition's processor, then end of input: every final record. */
function run<E>(views: readonly AnyFeatureView[], schema: EventSchema<E>, input: readonly E[]) {
  const processor = new PartitionProcessor(views)
  const records: ConsumedRecord[] = input.map((event, i) => {
    const encoded = encodeEvent(schema, event)
    return {
      topic: views[0]!.source.topic,
      partition: 0,
      offset: String(i),
      ...encoded,
      key: Buffer.from(encoded.key),
    }
  })
  const live = processor.process(records)
  const end = processor.advanceTo(Number.POSITIVE_INFINITY)
  expect([...live.deadLetters, ...end.deadLetters]).toEqual([])
  expect([...live.late, ...end.late]).toEqual([])
  // Repartitioned views hand partial windows to their merge phase; with one partition it completes them.
  const merged = views
    .filter((v) => v.repartition)
    .flatMap((v) => {
      const merger = new ViewMerger(v)
      for (const p of [...live.partials, ...end.partials]) if (p.view === v.ref) merger.add(p)
      return merger.advance(Number.POSITIVE_INFINITY)
    })
  return [...live.features, ...end.features, ...merged]
}

const carRecords = run([carMotion, carDistance, carBattery, carStatus], carTelemetrySchema, telemetry)
const zoneRecords = run([zoneTraffic], carTelemetrySchema, telemetry)
const demandRecords = run([zoneDemand], rideEventSchema, rides)

function recordsOf(records: readonly FeatureRecord[], view: string): FeatureRecord[] {
  return records.filter((r) => r.view === view)
}

/** The brute-force reference: the events of an entity whose time lies in the record's window. */
function within<E extends { ts: number }>(input: readonly E[], key: (e: E) => string, r: FeatureRecord): E[] {
  return input.filter((e) => key(e) === r.entity && e.ts >= r.windowStart && e.ts < r.windowEnd)
}

function meanOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

function populationStddev(xs: readonly number[]): number {
  const m = meanOf(xs)
  return Math.sqrt(meanOf(xs.map((x) => (x - m) ** 2)))
}

/** Starts of the aligned windows (size, slide) holding at least one of the timestamps. */
function windowStarts(ts: readonly number[], sizeMs: number, slideMs: number): number[] {
  const starts = new Set<number>()
  for (const t of ts) {
    for (let s = Math.floor(t / slideMs) * slideMs; s > t - sizeMs; s -= slideMs) starts.add(s)
  }
  return [...starts].sort((a, b) => a - b)
}

describe('car domain feature views', () => {
  it('keeps every output name stable: they are a contract with the stores and the models', () => {
    const names = Object.fromEntries(featureViews.map((v) => [v.ref, v.outputs.map((o) => o.name)]))
    expect(names).toEqual({
      'car_motion:v1': [
        'speed_kmh_mean_5m',
        'speed_kmh_max_5m',
        'speed_kmh_stddev_5m',
        'speed_kmh_mean_15m',
        'speed_kmh_max_15m',
        'speed_kmh_stddev_15m',
      ],
      'car_distance:v1': ['odometer_km_delta_1h'],
      'car_battery:v1': ['battery_pct_rate_15m', 'battery_pct_last_15m'],
      'car_status:v1': [
        'telemetry_ts_max_15m',
        'telemetry_ts_count_15m',
        'status_distinct_15m',
        'status_idle_count_15m',
        'status_to_pickup_count_15m',
        'status_on_trip_count_15m',
        'status_charging_count_15m',
        'status_offline_count_15m',
      ],
      'zone_traffic:v1': ['car_id_distinct_15m', 'speed_kmh_mean_15m', 'trip_speed_kmh_mean_15m'],
      'zone_demand:v1': ['ride_requested_count_15m', 'ride_picked_up_count_15m'],
      'car_location:v1': ['lat_last_1m', 'lon_last_1m'],
    })
  })

  it('registers each view once, with its entity, owner, grace, emission and source topic', () => {
    expect(new Set(featureViews.map((v) => v.name)).size).toBe(featureViews.length)
    for (const v of featureViews) {
      expect(v.owner).toBe('mobility-features')
      expect(v.graceMs).toBe(30_000)
      // car_location feeds a live ETA origin: it publishes the open minute too.
      expect(v.emit).toBe(v === carLocation ? 'updating' : 'final')
      expect(v.description.length).toBeGreaterThan(40)
    }
    expect(featureViews.map((v) => [v.ref, v.entity, v.source.topic, v.ttlMs / MINUTE_MS])).toEqual([
      ['car_motion:v1', 'car', 'car.telemetry.v1', 120],
      ['car_distance:v1', 'car', 'car.telemetry.v1', 120],
      ['car_battery:v1', 'car', 'car.telemetry.v1', 120],
      ['car_status:v1', 'car', 'car.telemetry.v1', 120],
      ['zone_traffic:v1', 'zone', 'car.telemetry.v1', 5],
      ['zone_demand:v1', 'zone', 'ride.events.v1', 5],
      ['car_location:v1', 'car', 'car.telemetry.v1', 10],
    ])
  })

  it('car_motion: emits a final record for every window with samples, equal to the brute-force speed stats', () => {
    const records = recordsOf(carRecords, 'car_motion')
    const cars = [...new Set(telemetry.map((e) => e.carId))]
    expect(cars).toHaveLength(10)
    for (const [label, sizeMs] of [
      ['5m', 5 * MINUTE_MS],
      ['15m', 15 * MINUTE_MS],
    ] as const) {
      for (const car of cars) {
        const starts = records.filter((r) => r.entity === car && r.window === label).map((r) => r.windowStart)
        const ts = telemetry.filter((e) => e.carId === car).map((e) => e.ts)
        expect(starts.sort((a, b) => a - b)).toEqual(windowStarts(ts, sizeMs, MINUTE_MS))
      }
    }
    for (const r of records) {
      expect(r.final).toBe(true)
      const speeds = within(telemetry, (e) => e.carId, r).map((e) => e.speedKmh)
      expect(speeds.length).toBeGreaterThan(0)
      expect(r.features[`speed_kmh_mean_${r.window}`]).toBeCloseTo(meanOf(speeds), 9)
      expect(r.features[`speed_kmh_max_${r.window}`]).toBe(Math.max(...speeds))
      expect(r.features[`speed_kmh_stddev_${r.window}`]).toBeCloseTo(populationStddev(speeds), 6)
    }
    // The simulation must exercise the features, not just parked cars.
    expect(records.some((r) => (r.features.speed_kmh_max_5m ?? 0) > 30)).toBe(true)
  })

  it('car_distance: the hourly distance is the last minus the first odometer reading of the clock hour', () => {
    const records = recordsOf(carRecords, 'car_distance')
    expect(records).toHaveLength(10)
    for (const r of records) {
      expect([r.windowStart, r.windowEnd]).toEqual([MONDAY_7AM, MONDAY_7AM + 60 * MINUTE_MS])
      const km = within(telemetry, (e) => e.carId, r).map((e) => e.odometerKm)
      expect(r.features.odometer_km_delta_1h).toBeCloseTo(km.at(-1)! - km[0]!, 9)
    }
    expect(records.some((r) => (r.features.odometer_km_delta_1h ?? 0) > 1)).toBe(true)
  })

  it('car_battery: the rate is the change per hour between first and last sample; last is the latest level', () => {
    const records = recordsOf(carRecords, 'car_battery')
    expect(records.length).toBeGreaterThan(0)
    for (const r of records) {
      const samples = within(telemetry, (e) => e.carId, r)
      const first = samples[0]!
      const last = samples.at(-1)!
      const expected =
        samples.length < 2 ? null : ((last.batteryPct - first.batteryPct) / (last.ts - first.ts)) * 3_600_000
      if (expected === null) expect(r.features.battery_pct_rate_15m).toBeNull()
      else expect(r.features.battery_pct_rate_15m).toBeCloseTo(expected, 9)
      expect(r.features.battery_pct_last_15m).toBe(last.batteryPct)
    }
    expect(records.some((r) => (r.features.battery_pct_rate_15m ?? 0) < 0)).toBe(true)
  })

  it('car_status: counts samples per status and distinct statuses, and keeps the latest sample time', () => {
    const records = recordsOf(carRecords, 'car_status')
    for (const r of records) {
      const samples = within(telemetry, (e) => e.carId, r)
      expect(r.features.telemetry_ts_max_15m).toBe(Math.max(...samples.map((e) => e.ts)))
      expect(r.features.telemetry_ts_count_15m).toBe(samples.length)
      expect(r.features.status_distinct_15m).toBe(new Set(samples.map((e) => e.status)).size)
      for (const status of CAR_STATUSES) {
        expect(r.features[`status_${status}_count_15m`]).toBe(
          samples.filter((e) => e.status === status).length,
        )
      }
    }
    expect(records.some((r) => (r.features.status_distinct_15m ?? 0) > 1)).toBe(true)
  })

  it('car_status: the distinct-status sketch is exact for every set of statuses', () => {
    const sketch = distinctCount()
    for (let mask = 1; mask < 1 << CAR_STATUSES.length; mask++) {
      const subset = CAR_STATUSES.filter((_, i) => mask & (1 << i))
      const state = subset.reduce((s, status) => sketch.add(s, status, 0), sketch.init())
      expect(sketch.result(state)).toBe(subset.length)
    }
  })

  it('zone_traffic: active cars are the distinct cars within HyperLogLog error; speeds are brute-force means', () => {
    const sketchError = distinctCount().standardError
    expect(zoneRecords.length).toBeGreaterThan(0)
    for (const r of zoneRecords) {
      const samples = within(telemetry, (e: CarTelemetry) => e.zoneId, r)
      const cars = new Set(samples.map((e) => e.carId)).size
      const estimate = r.features.car_id_distinct_15m!
      expect(Math.abs(estimate - cars)).toBeLessThanOrEqual(Math.max(1, 3 * sketchError * cars))
      expect(r.features.speed_kmh_mean_15m).toBeCloseTo(meanOf(samples.map((e) => e.speedKmh)), 9)
      const trip = samples.filter((e) => e.status === 'on_trip').map((e) => e.speedKmh)
      if (trip.length === 0) expect(r.features.trip_speed_kmh_mean_15m).toBeNull()
      else expect(r.features.trip_speed_kmh_mean_15m).toBeCloseTo(meanOf(trip), 9)
    }
    expect(zoneRecords.some((r) => (r.features.car_id_distinct_15m ?? 0) >= 3)).toBe(true)
  })

  it('zone_demand: counts ride requests and pickups by pickup zone', () => {
    expect(demandRecords.length).toBeGreaterThan(0)
    for (const r of demandRecords) {
      const inWindow = within(rides, (e: RideEvent) => e.pickupZone, r)
      expect(inWindow.length).toBeGreaterThan(0)
      const count = (type: RideEvent['type']) => inWindow.filter((e) => e.type === type).length
      expect(r.features.ride_requested_count_15m).toBe(count('ride_requested'))
      expect(r.features.ride_picked_up_count_15m).toBe(count('ride_picked_up'))
    }
    expect(demandRecords.some((r) => (r.features.ride_picked_up_count_15m ?? 0) > 0)).toBe(true)
  })

  it('car_location: each record holds the latest sample of its minute so far; the final one the last sample', () => {
    // Small fetches, as a live consumer sees them: each one publishes the open minute's latest position.
    const { features } = runTestDriver({
      views: [carLocation],
      events: fromSimulation(events),
      batchSize: 50,
    })
    const finals = features.filter((r) => r.final)
    const partials = features.filter((r) => !r.final)
    expect(partials.length).toBeGreaterThan(finals.length)
    for (const r of features) {
      // A partial holds as of its event time (the partition's latest event); the final one the whole minute.
      const samples = within(telemetry, (e) => e.carId, r).filter((e) => e.ts <= r.eventTime)
      expect(samples.length).toBeGreaterThan(0)
      const latest = samples.at(-1)!
      expect([r.features.lat_last_1m, r.features.lon_last_1m]).toEqual([
        latest.position.lat,
        latest.position.lon,
      ])
    }
    const carMinutes = new Set(telemetry.map((e) => `${e.carId}/${Math.floor(e.ts / MINUTE_MS)}`))
    expect(finals).toHaveLength(carMinutes.size)
    // Cars move: consecutive minutes of some car report different positions.
    expect(new Set(finals.map((r) => r.features.lat_last_1m)).size).toBeGreaterThan(10 * 5)
  })
})
