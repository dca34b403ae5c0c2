import type { City, ZoneKind } from './city.js'
import { type CityTime, cityTime, hourBump } from './city-clock.js'
import { distanceKm, type PlanePoint } from './plane.js'
import type { Rng } from './random.js'

/** `[centreHour, widthHours, height]` bumps on top of a base level. */
interface DayShape {
  readonly base: number
  readonly bumps: readonly (readonly [number, number, number])[]
}

interface WeekShape {
  readonly weekday: DayShape
  readonly weekend: DayShape
}

const shape = (base: number, ...bumps: [number, number, number][]): DayShape => ({ base, bumps })

/** When people want a ride *from* a zone of each kind. */
const ORIGIN: Record<ZoneKind, WeekShape> = {
  core: {
    weekday: shape(0.15, [8.5, 1, 0.5], [13, 2, 0.7], [17.75, 1.3, 1.5], [22.5, 1.5, 0.6]),
    weekend: shape(0.2, [14, 3, 0.9], [23, 2, 1.0]),
  },
  business: {
    weekday: shape(0.08, [8.5, 1, 0.3], [12.5, 1, 0.6], [17.5, 1.2, 1.8]),
    weekend: shape(0.05, [14, 3, 0.2]),
  },
  nightlife: {
    weekday: shape(0.15, [13, 2.5, 0.4], [23, 1.8, 1.5]),
    weekend: shape(0.2, [15, 3, 0.6], [0.5, 2, 2.4]),
  },
  university: {
    weekday: shape(0.08, [10, 1.5, 0.6], [13, 1.5, 0.9], [17, 1.5, 0.8]),
    weekend: shape(0.08, [15, 3, 0.3]),
  },
  industrial: {
    weekday: shape(0.08, [6.5, 1, 0.7], [15, 1, 0.8], [22.5, 1, 0.4]),
    weekend: shape(0.05, [14, 3, 0.2]),
  },
  airport: {
    weekday: shape(0.35, [7.5, 1.5, 0.6], [13, 2, 0.3], [19.5, 2, 0.8]),
    weekend: shape(0.35, [11, 2.5, 0.5], [19, 2.5, 0.6]),
  },
  residential: {
    weekday: shape(0.08, [7.75, 1, 1.6], [13, 2.5, 0.3], [19.5, 1.5, 0.4]),
    weekend: shape(0.1, [11.5, 2.5, 0.8], [19.5, 2, 0.6]),
  },
  leisure: {
    weekday: shape(0.08, [13, 3, 0.4], [18.5, 1.5, 0.6]),
    weekend: shape(0.1, [13.5, 3, 1.5], [20, 2, 0.5]),
  },
}

/** How strongly a zone of each kind attracts trips at a given hour (the "mass" of the gravity model). */
const DESTINATION: Record<ZoneKind, WeekShape> = {
  core: { weekday: shape(0.6, [8.5, 1.2, 1.0], [13, 2.5, 0.5]), weekend: shape(0.6, [13, 3, 0.8]) },
  business: { weekday: shape(0.2, [8.25, 1, 2.2], [12.5, 1, 0.4]), weekend: shape(0.1) },
  nightlife: { weekday: shape(0.3, [20.5, 2, 1.2]), weekend: shape(0.4, [21.5, 2.5, 2.0]) },
  university: { weekday: shape(0.2, [9, 1.5, 1.5]), weekend: shape(0.1) },
  industrial: { weekday: shape(0.15, [6, 1, 1.2], [14.5, 1, 0.8], [22, 1, 0.5]), weekend: shape(0.1) },
  airport: { weekday: shape(0.6, [6.5, 1.5, 0.4], [17, 2.5, 0.4]), weekend: shape(0.6, [10, 3, 0.4]) },
  residential: {
    weekday: shape(0.3, [18, 1.8, 1.5], [23.5, 1.5, 0.8]),
    weekend: shape(0.4, [18, 3, 0.7], [1.5, 2, 1.0]),
  },
  leisure: { weekday: shape(0.2, [17.5, 2, 0.4]), weekend: shape(0.3, [12, 3, 1.2]) },
}

/** Gravity-model decay: a zone 5 km farther away is e times less likely as a destination. */
const GRAVITY_KM = 5
/** Trips shorter than this are walked; the sampler re-draws the drop-off. */
const MIN_TRIP_KM = 0.8

export interface DemandOptions {
  /** Mean ride requests per hour for the whole city, averaged over a week. */
  ridesPerHour: number
  utcOffsetMin: number
}

/**
 * Who wants a ride, from where, to where and when. Requests arrive per zone as a non-homogeneous Poisson process
 * (rate = city rate × zone weight × hour-of-day shape); drop-offs follow a gravity model whose destination masses
 * also move with the clock (offices in the morning, homes in the evening, bars at night).
 *
 * @example
 * const demand = new Demand(city, { ridesPerHour: 60, utcOffsetMin: 0 })
 * demand.ratePerHour(0, t) // requests per hour from zone 0 at time t
 */
export class Demand {
  private readonly normaliser: number
  /** Upper bound of each zone's rate, for Poisson thinning. */
  readonly maxRatePerHour: readonly number[]

  constructor(
    private readonly city: City,
    private readonly options: DemandOptions,
  ) {
    // Scale so the week-averaged city total is exactly `ridesPerHour`: shapes stay readable, the rate exact.
    let sum = 0
    let samples = 0
    for (let weekday = 0; weekday < 7; weekday++) {
      for (let hour = 0; hour < 24; hour += 0.25) {
        const time = { hour, weekday, weekend: weekday === 0 || weekday === 6 }
        for (let z = 0; z < city.zones.length; z++) sum += this.relativeRate(z, time)
        samples++
      }
    }
    this.normaliser = sum > 0 ? options.ridesPerHour / (sum / samples) : 0
    this.maxRatePerHour = city.zones.map((z) => {
      const week = ORIGIN[z.kind]
      return z.demandWeight * this.normaliser * Math.max(upperBound(week.weekday), upperBound(week.weekend))
    })
  }

  ratePerHour(zoneIndex: number, timeMs: number): number {
    return this.normaliser * this.relativeRate(zoneIndex, cityTime(timeMs, this.options.utcOffsetMin))
  }

  /** A uniformly random point within a zone's radius. */
  pointIn(zoneIndex: number, rng: Rng): PlanePoint {
    const c = this.city.centres[zoneIndex]!
    const r = this.city.zones[zoneIndex]!.radiusKm * Math.sqrt(rng.uniform())
    const a = rng.between(0, 2 * Math.PI)
    return { x: c.x + r * Math.cos(a), y: c.y + r * Math.sin(a) }
  }

  /** Drop-off zone for a trip from `originIndex`, by the gravity model at this time. */
  dropoffZone(originIndex: number, timeMs: number, rng: Rng): number {
    const time = cityTime(timeMs, this.options.utcOffsetMin)
    const origin = this.city.centres[originIndex]!
    const weights = this.city.zones.map((zone, j) => {
      // Within a zone the typical trip is about one radius long.
      const d = j === originIndex ? zone.radiusKm : distanceKm(origin, this.city.centres[j]!)
      const mass = zone.demandWeight * evaluate(pick(DESTINATION[zone.kind], time), time.hour)
      return mass * Math.exp(-d / GRAVITY_KM)
    })
    return Math.max(0, rng.weighted(weights))
  }

  /** A drop-off point in `zoneIndex`, at least a short walk away from `pickup`. */
  dropoffPoint(zoneIndex: number, pickup: PlanePoint, rng: Rng): PlanePoint {
    let p = this.pointIn(zoneIndex, rng)
    for (let tries = 0; tries < 8 && distanceKm(pickup, p) < MIN_TRIP_KM; tries++)
      p = this.pointIn(zoneIndex, rng)
    const d = distanceKm(pickup, p)
    if (d >= MIN_TRIP_KM) return p
    // Still too close (a tiny zone): push it out along the same direction, or due east if it coincides.
    const ux = d > 0 ? (p.x - pickup.x) / d : 1
    const uy = d > 0 ? (p.y - pickup.y) / d : 0
    return { x: pickup.x + ux * MIN_TRIP_KM, y: pickup.y + uy * MIN_TRIP_KM }
  }

  private relativeRate(zoneIndex: number, time: CityTime): number {
    const zone = this.city.zones[zoneIndex]!
    return zone.demandWeight * evaluate(pick(ORIGIN[zone.kind], time), time.hour)
  }
}

function pick(week: WeekShape, time: CityTime): DayShape {
  return time.weekend ? week.weekend : week.weekday
}

function evaluate(day: DayShape, hour: number): number {
  let v = day.base
  for (const [centre, width, height] of day.bumps) v += height * hourBump(hour, centre, width)
  return v
}

function upperBound(day: DayShape): number {
  let v = day.base
  for (const [, , height] of day.bumps) v += height
  return v
}
