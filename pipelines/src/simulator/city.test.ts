import { describe, expect, it } from 'vitest'
import { CITY_ZONES, createCity } from './city.js'
import { cityTime } from './city-clock.js'
import { congestionFactor } from './congestion.js'

const zone = (id: string) => CITY_ZONES.find((z) => z.id === id)!
const MONDAY = Date.UTC(2025, 0, 6)
const SATURDAY = Date.UTC(2025, 0, 11)
const at = (day: number, hour: number) => cityTime(day + hour * 3_600_000, 0)

describe('city clock', () => {
  it('knows weekdays, weekends and fractional hours', () => {
    expect(cityTime(Date.UTC(2025, 0, 6, 8, 30), 0)).toEqual({ hour: 8.5, weekday: 1, weekend: false })
    expect(cityTime(Date.UTC(2025, 0, 11, 23, 0), 60)).toEqual({ hour: 0, weekday: 0, weekend: true })
  })
})

describe('congestion', () => {
  const downtown = zone('z-downtown').congestion

  it('slows downtown to under half of free flow in both weekday rush hours', () => {
    expect(congestionFactor(downtown, at(MONDAY, 8))).toBeLessThan(0.5)
    expect(congestionFactor(downtown, at(MONDAY, 17.5))).toBeLessThan(0.4)
  })

  it('leaves night roads nearly free-flowing', () => {
    expect(congestionFactor(downtown, at(MONDAY, 3))).toBeGreaterThan(0.9)
  })

  it('has no morning rush at weekends', () => {
    expect(congestionFactor(downtown, at(SATURDAY, 8))).toBeGreaterThan(
      congestionFactor(downtown, at(MONDAY, 8)) + 0.3,
    )
  })

  it('jams downtown harder than the airport roads', () => {
    const airport = zone('z-airport')
    const rush = at(MONDAY, 17.5)
    expect(zone('z-downtown').freeFlowKmh * congestionFactor(downtown, rush)).toBeLessThan(
      0.5 * airport.freeFlowKmh * congestionFactor(airport.congestion, rush),
    )
  })
})

describe('createCity', () => {
  const city = createCity()

  it('locates a point in the zone that contains it', () => {
    const ids = (x: number, y: number) => {
      const { index, inside } = city.locate({ x, y })
      return { id: city.zones[index]?.id, inside }
    }
    expect(ids(0, 0)).toEqual({ id: 'z-downtown', inside: true })
    expect(ids(0.6, 8.2)).toEqual({ id: 'z-suburb-north', inside: true })
    // Between zones: the arterial roads, reported as the nearest zone.
    expect(ids(0, 4.5)).toEqual({ id: 'z-suburb-north', inside: false })
  })

  it('places zone centres where their lat/lon says', () => {
    for (const [i, z] of city.zones.entries()) {
      const back = city.plane.toGeo(city.centres[i]!)
      expect(back.lat).toBeCloseTo(z.centre.lat, 9)
      expect(back.lon).toBeCloseTo(z.centre.lon, 9)
    }
  })

  it('has unique, well-formed zone ids and at least one depot', () => {
    expect(new Set(CITY_ZONES.map((z) => z.id)).size).toBe(CITY_ZONES.length)
    for (const z of CITY_ZONES) expect(z.id).toMatch(/^z-[a-z0-9-]+$/)
    expect(city.depots.length).toBeGreaterThan(0)
  })
})
