import { CITY_ZONES, simulate } from '@freshet/pipelines'
import { describe, expect, it } from 'vitest'
import { haversineKm, ON_DEMAND_FEATURES, onDemandFeatures, zoneOf } from './on-demand.js'

const MONDAY_0830 = Date.UTC(2025, 0, 6, 8, 30)
const downtown = { lat: 52.52, lon: 13.4 }
const oldTown = { lat: 52.5345, lon: 13.3616 }

describe('on-demand features', () => {
  it('returns exactly the declared features, in model input order, all finite', () => {
    const f = onDemandFeatures({ origin: downtown, destination: oldTown, at: MONDAY_0830, isPickupLeg: true })
    expect(Object.keys(f)).toEqual([...ON_DEMAND_FEATURES])
    expect(Object.values(f).every(Number.isFinite)).toBe(true)
  })

  it('computes the great-circle distance, city-local hour and weekday, and the leg kind', () => {
    const trip = onDemandFeatures({
      origin: downtown,
      destination: oldTown,
      at: MONDAY_0830,
      isPickupLeg: false,
    })
    // Reference: the spherical law of cosines, a different formula for the same distance.
    const rad = Math.PI / 180
    const cosines =
      6371.0088 *
      Math.acos(
        Math.sin(downtown.lat * rad) * Math.sin(oldTown.lat * rad) +
          Math.cos(downtown.lat * rad) *
            Math.cos(oldTown.lat * rad) *
            Math.cos((oldTown.lon - downtown.lon) * rad),
      )
    expect(trip.leg_distance_km).toBeCloseTo(cosines, 6)
    expect(trip.leg_distance_km).toBeGreaterThan(3)
    expect(trip.leg_distance_km).toBeLessThan(3.2)
    expect(trip).toMatchObject({
      origin_lat: 52.52,
      origin_lon: 13.4,
      destination_lat: 52.5345,
      destination_lon: 13.3616,
      hour_of_day: 8.5,
      day_of_week: 1,
      is_pickup_leg: 0,
    })
    const sunday = onDemandFeatures({
      origin: downtown,
      destination: downtown,
      at: Date.UTC(2025, 0, 12, 23, 45),
      isPickupLeg: true,
    })
    expect(sunday).toMatchObject({ leg_distance_km: 0, hour_of_day: 23.75, day_of_week: 0, is_pickup_leg: 1 })
  })

  it('one degree of latitude is about 111.2 km', () => {
    expect(haversineKm({ lat: 52, lon: 13 }, { lat: 53, lon: 13 })).toBeCloseTo(111.195, 2)
  })

  it('refuses a leg with a non-finite coordinate or time instead of feeding NaN to the model', () => {
    const leg = { origin: downtown, destination: oldTown, at: MONDAY_0830, isPickupLeg: false }
    expect(() => onDemandFeatures({ ...leg, origin: { lat: Number.NaN, lon: 13.4 } })).toThrow(/origin\.lat/)
    expect(() => onDemandFeatures({ ...leg, at: Number.POSITIVE_INFINITY })).toThrow(/\bat\b/)
  })
})

describe('zoneOf', () => {
  it('names the zone every simulated car reports for its own position', () => {
    const samples = [
      ...simulate({ seed: 3, cars: 25, startMs: MONDAY_0830, durationMs: 20 * 60_000 }),
    ].flatMap((e) => (e.kind === 'telemetry' ? [e.event] : []))
    expect(new Set(samples.map((s) => s.zoneId)).size).toBeGreaterThan(3)
    // Reported positions carry ±3 m of GPS noise, so a car right on a zone edge may report the zone across it:
    // every disagreement must be such an edge case, where a point within 10 m lies in the reported zone.
    const mismatches = samples.filter((s) => zoneOf(s.position) !== s.zoneId)
    expect(mismatches.length).toBeLessThan(samples.length / 1000)
    const tenMetresLat = 10 / 110_574
    const tenMetresLon = 10 / 67_800
    for (const s of mismatches) {
      const nearby = [-1, 0, 1].flatMap((dy) =>
        [-1, 0, 1].map((dx) =>
          zoneOf({ lat: s.position.lat + dy * tenMetresLat, lon: s.position.lon + dx * tenMetresLon }),
        ),
      )
      expect(nearby).toContain(s.zoneId)
    }
  })

  it('puts each zone centre in its own zone, and a point far outside the city in none', () => {
    for (const zone of CITY_ZONES) expect(zoneOf(zone.centre)).toBe(zone.id)
    expect(zoneOf({ lat: 48.14, lon: 11.58 })).toBeUndefined()
    expect(zoneOf({ lat: 52.52, lon: 14.2 })).toBeUndefined()
    expect(zoneOf({ lat: Number.NaN, lon: 13.4 })).toBeUndefined()
  })
})
