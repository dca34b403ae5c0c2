import type { CarStatus } from '../events/car-telemetry.js'
import { auxPct, chargePct, drivePct } from './energy.js'
import { bearingDeg, type PlanePoint } from './plane.js'
import type { Rng } from './random.js'
import type { RoadConditions } from './traffic.js'

const HOUR_MS = 3_600_000

/**
 * What a car is doing, finer than the reported {@link CarStatus}: e.g. `boarding` (waiting at the pickup) still
 * reports `to_pickup`, `to_depot` reports `charging`.
 */
export type CarTask =
  | 'parked'
  | 'cruising'
  | 'to_pickup'
  | 'boarding'
  | 'on_trip'
  | 'to_depot'
  | 'charging'
  | 'offline'

const STATUS: Record<CarTask, CarStatus> = {
  parked: 'idle',
  cruising: 'idle',
  to_pickup: 'to_pickup',
  boarding: 'to_pickup',
  on_trip: 'on_trip',
  to_depot: 'charging',
  charging: 'charging',
  offline: 'offline',
}

export function statusOf(task: CarTask): CarStatus {
  return STATUS[task]
}

/** Mutable state of one simulated car. Position, battery and odometer are exact as of `lastMs`. */
export interface Car {
  readonly id: string
  readonly index: number
  /** Per-car speed multiplier (software version, tyres): a small, stable effect a model can learn per car. */
  readonly speedBias: number
  pos: PlanePoint
  headingDeg: number
  /** Speed held from the last decision until the next one. */
  speedKmh: number
  batteryPct: number
  odometerKm: number
  task: CarTask
  /** Remaining waypoints are `route[routeIndex..]`. */
  route: PlanePoint[]
  routeIndex: number
  /** `routeTailKm[i]`: road distance from waypoint i to the end of the route. */
  routeTailKm: number[]
  /** Per-route speed multiplier: the luck of the lights and traffic on this particular drive. */
  routeLuck: number
  lastMs: number
  nextSampleMs: number
  /** Standing still (lights, boarding, dwell, offline) until this time. */
  holdUntilMs: number
  /** AR(1) deviation from the traffic speed, so speed traces wander smoothly instead of jumping. */
  speedNoise: number
  /** Distance driven since the last speed decision; sets the chance of stopping at a light. */
  kmSinceDecision: number
  zoneIndex: number
  /** Charging stops here (drawn per visit, as real fleets rarely charge to exactly 100 %). */
  chargeTargetPct: number
}

export interface DrivingParams {
  ecoModeBelowPct: number
}

/** Sets a new route from the car's position (replacing any current one). */
export function setRoute(car: Car, waypoints: PlanePoint[], rng: Rng): void {
  const tail = new Array<number>(waypoints.length)
  let acc = 0
  for (let i = waypoints.length - 1; i >= 0; i--) {
    tail[i] = acc
    if (i > 0) acc += Math.hypot(waypoints[i]!.x - waypoints[i - 1]!.x, waypoints[i]!.y - waypoints[i - 1]!.y)
  }
  car.route = waypoints
  car.routeIndex = 0
  car.routeTailKm = tail
  car.routeLuck = Math.exp(0.08 * rng.normal())
}

export function clearRoute(car: Car): void {
  car.route = []
  car.routeIndex = 0
  car.routeTailKm = []
}

export function hasRoute(car: Car): boolean {
  return car.routeIndex < car.route.length
}

/** Road distance left on the current route. */
export function remainingKm(car: Car): number {
  const next = car.route[car.routeIndex]
  if (next === undefined) return 0
  return Math.hypot(next.x - car.pos.x, next.y - car.pos.y) + car.routeTailKm[car.routeIndex]!
}

/**
 * Moves the car along its route at its current speed up to `toMs`, and books distance, battery and charging.
 * Safe to call at any time ≥ `lastMs` (the dispatcher brings a car up to date before re-routing it).
 */
export function advanceCar(car: Car, toMs: number): void {
  const dtMs = toMs - car.lastMs
  if (dtMs <= 0) return
  const hours = dtMs / HOUR_MS
  let moved = 0
  if (car.speedKmh > 0 && hasRoute(car)) {
    let budget = car.speedKmh * hours
    const fromX = car.pos.x
    const fromY = car.pos.y
    while (budget > 0 && car.routeIndex < car.route.length) {
      const wp = car.route[car.routeIndex]!
      const d = Math.hypot(wp.x - car.pos.x, wp.y - car.pos.y)
      if (d <= budget) {
        car.pos.x = wp.x
        car.pos.y = wp.y
        budget -= d
        moved += d
        car.routeIndex++
      } else {
        const f = budget / d
        car.pos.x += (wp.x - car.pos.x) * f
        car.pos.y += (wp.y - car.pos.y) * f
        moved += budget
        budget = 0
      }
    }
    const ahead = car.route[car.routeIndex]
    if (ahead !== undefined && (ahead.x !== car.pos.x || ahead.y !== car.pos.y)) {
      car.headingDeg = bearingDeg(car.pos, ahead)
    } else if (moved > 0) {
      car.headingDeg = bearingDeg({ x: fromX, y: fromY }, car.pos)
    }
  }
  const active = car.task !== 'parked' && car.task !== 'offline' && car.task !== 'charging'
  let battery = car.batteryPct - drivePct(moved, car.speedKmh) - auxPct(hours, active)
  if (car.task === 'charging') battery = chargePct(Math.max(0, battery), hours)
  car.batteryPct = Math.min(100, Math.max(0, battery))
  car.odometerKm += moved
  car.kmSinceDecision += moved
  car.lastMs = toMs
}

/** Mean seconds waited at a light (uniform 8–40 s). */
const STOP_MIN_MS = 8_000
const STOP_MAX_MS = 40_000
/** Speed noise: a 12 % deviation that decorrelates over about 10 s. */
const NOISE_SD = 0.12
const NOISE_TAU_S = 10

/**
 * Decides the car's speed from now until its next decision: zero while held or without a route, otherwise the
 * road's speed shaped by the car's bias, the route's luck, eco mode and smooth noise. Stopping at lights is
 * decided here too, from the distance driven since the last decision.
 */
export function decideSpeed(
  car: Car,
  nowMs: number,
  dtMs: number,
  road: RoadConditions,
  rng: Rng,
  params: DrivingParams,
): void {
  const drives =
    car.task === 'cruising' || car.task === 'to_pickup' || car.task === 'on_trip' || car.task === 'to_depot'
  if (!drives || nowMs < car.holdUntilMs || !hasRoute(car)) {
    car.speedKmh = 0
    return
  }
  const km = car.kmSinceDecision
  car.kmSinceDecision = 0
  if (km > 0 && rng.chance(1 - Math.exp(-road.stopsPerKm * km))) {
    car.holdUntilMs = nowMs + Math.round(rng.between(STOP_MIN_MS, STOP_MAX_MS))
    car.speedKmh = 0
    return
  }
  const phi = Math.exp(-dtMs / 1000 / NOISE_TAU_S)
  car.speedNoise = phi * car.speedNoise + NOISE_SD * Math.sqrt(1 - phi * phi) * rng.normal()
  // Idle cars cruise slowly looking for riders; low batteries trade speed for range.
  const taskFactor = car.task === 'cruising' ? 0.65 : 1
  const ecoFactor = car.batteryPct < params.ecoModeBelowPct ? 0.85 : 1
  const target = road.speedKmh * car.speedBias * car.routeLuck * taskFactor * ecoFactor
  car.speedKmh = Math.min(130, Math.max(3, target * (1 + car.speedNoise)))
}

/** Milliseconds until the car reaches the end of its route at its current speed (+Infinity if it is not moving). */
export function msToRouteEnd(car: Car): number {
  if (car.speedKmh <= 0 || !hasRoute(car)) return Number.POSITIVE_INFINITY
  return Math.ceil((remainingKm(car) / car.speedKmh) * HOUR_MS)
}
