import { ARTERIAL_ROADS, type City } from './city.js'
import { cityTime } from './city-clock.js'
import { congestionFactor } from './congestion.js'
import type { PlanePoint } from './plane.js'
import type { Rng } from './random.js'

const MINUTE_MS = 60_000

/** Road conditions where a car is, at the moment it asks. */
export interface RoadConditions {
  /** Zone index for telemetry (nearest zone when on an arterial road). */
  zoneIndex: number
  /** Expected moving speed: free flow × congestion × any incident. */
  speedKmh: number
  stopsPerKm: number
}

export interface TrafficOptions {
  /** Minutes east of UTC for the city clock. */
  utcOffsetMin: number
  /** Mean traffic incidents (accidents, road works) per zone per day. */
  incidentsPerZoneDay: number
}

interface Incident {
  startMs: number
  endMs: number
  /** Speed multiplier while the incident lasts. */
  factor: number
}

/**
 * Traffic in the city: the hour-of-day congestion profile of each zone, plus random incidents that slow one zone
 * for half an hour or so. Incidents are what the clock alone cannot predict, so they give streaming features
 * (recent speeds in a zone) something to add over a static hour-of-day model.
 *
 * Queries must come in non-decreasing time order (the simulation guarantees it): incidents are drawn lazily.
 *
 * @example
 * const traffic = new Traffic(city, rng.fork(), { utcOffsetMin: 0, incidentsPerZoneDay: 1.5 })
 * traffic.at({ x: 0, y: 0 }, t).speedKmh // downtown speed now
 */
export class Traffic {
  private readonly current: (Incident | undefined)[]
  private readonly nextStartMs: number[]

  constructor(
    private readonly city: City,
    private readonly rng: Rng,
    private readonly options: TrafficOptions,
    startMs: number,
  ) {
    this.current = city.zones.map(() => undefined)
    this.nextStartMs = city.zones.map(() => startMs + this.nextGapMs())
  }

  at(p: PlanePoint, timeMs: number): RoadConditions {
    const { index, inside } = this.city.locate(p)
    const time = cityTime(timeMs, this.options.utcOffsetMin)
    if (!inside) {
      return {
        zoneIndex: index,
        speedKmh: ARTERIAL_ROADS.freeFlowKmh * congestionFactor(ARTERIAL_ROADS.congestion, time),
        stopsPerKm: ARTERIAL_ROADS.stopsPerKm,
      }
    }
    const zone = this.city.zones[index]!
    return {
      zoneIndex: index,
      speedKmh:
        zone.freeFlowKmh * congestionFactor(zone.congestion, time) * this.incidentFactor(index, timeMs),
      stopsPerKm: zone.stopsPerKm,
    }
  }

  /** Speed multiplier from an incident in the zone at this time (1 when there is none). */
  incidentFactor(zoneIndex: number, timeMs: number): number {
    while (this.nextStartMs[zoneIndex]! <= timeMs) {
      const startMs = this.nextStartMs[zoneIndex]!
      this.current[zoneIndex] = {
        startMs,
        endMs: startMs + Math.round(this.rng.between(20, 75) * MINUTE_MS),
        factor: this.rng.between(0.45, 0.8),
      }
      this.nextStartMs[zoneIndex] = startMs + this.nextGapMs()
    }
    const incident = this.current[zoneIndex]
    return incident !== undefined && timeMs < incident.endMs ? incident.factor : 1
  }

  private nextGapMs(): number {
    if (this.options.incidentsPerZoneDay <= 0) return Number.POSITIVE_INFINITY
    return Math.max(
      1,
      Math.round(this.rng.exponential(this.options.incidentsPerZoneDay / (24 * 60 * MINUTE_MS))),
    )
  }
}
