import type { OnlineFeatureValue } from '@freshet/feature-store'
import { type LatLon, onDemandFeatures, zoneOf } from '../features/on-demand.js'
import type { FeaturePlan } from './feature-plan.js'
import { type FeatureReport, fillLeg } from './leg-features.js'

/** One leg's estimate and every input it was scored with. */
export interface LegEta {
  seconds: number
  origin: LatLon
  destination: LatLon
  /** Zone whose features the leg read; null when the origin lies outside the city. */
  originZone: string | null
  features: FeatureReport[]
}

/** The car's last known position: the pickup leg's origin. */
export interface CarPosition extends LatLon {
  eventTime: number
  ageMs: number
}

export interface CarEta {
  carId: string
  /** Pickup leg + trip leg. */
  etaSeconds: number
  pickupSeconds: number
  tripSeconds: number
  position: CarPosition
  legs: { pickup: LegEta; trip: LegEta }
  /** One sentence per input that was missing or expired and fed its default. Empty when every value was fresh. */
  warnings: string[]
}

/** Why a car got no estimate. */
export type Unscored =
  | { carId: string; reason: 'unknown-car'; detail: string }
  | { carId: string; reason: 'feature-unavailable'; detail: string; refused: FeatureReport[] }

export type CarOutcome = ({ scored: true } & CarEta) | ({ scored: false } & Unscored)

/** A car whose two rows are written and wait for the model's answer. */
export interface ScorableCar {
  carId: string
  position: CarPosition
  pickup: LegEta
  trip: LegEta
  warnings: string[]
}

/** What one car of a request needs from the online store, already read. */
export interface CarInputs {
  carId: string
  /** Aligned with `plan.carRefs`. */
  values: readonly OnlineFeatureValue[]
  /** Zone values by zone id (every zone read for the batch). */
  zones: ReadonlyMap<string, readonly OnlineFeatureValue[]>
  pickup: LatLon
  dropoff: LatLon
  requestedAt: number
}

/**
 * The car's last reported position, when both coordinates are present.
 *
 * @example
 * const origin = positionOf(values, plan) // { lat: 52.52, lon: 13.4 } or undefined
 */
export function positionOf(values: readonly OnlineFeatureValue[], plan: FeaturePlan): LatLon | undefined {
  const lat = values[plan.position.lat]
  const lon = values[plan.position.lon]
  if (lat?.status !== 'present' || lon?.status !== 'present' || lat.value === null || lon.value === null) {
    return undefined
  }
  return { lat: lat.value, lon: lon.value }
}

/**
 * Writes a car's pickup row and trip row (model order) at `offset` in `rows`, or says why the car cannot be
 * scored: an unknown car (nothing stored at all), or an input whose policy refuses a missing value (a car
 * without a position has no pickup leg to score).
 *
 * @example
 * const car = prepareCar(plan, inputs, rows, k * 2 * plan.width)
 * if ('reason' in car) … else pending.push(car)
 */
export function prepareCar(
  plan: FeaturePlan,
  inputs: CarInputs,
  rows: Float32Array,
  offset: number,
): ScorableCar | Unscored {
  const { carId, values, zones, pickup, dropoff, requestedAt } = inputs
  if (values.every((v) => v.status === 'missing')) {
    return {
      carId,
      reason: 'unknown-car',
      detail: `the online store has no features for ${carId}: an unknown car, or one silent for longer than every view's ttl`,
    }
  }
  const origin = positionOf(values, plan)
  const carZone = origin === undefined ? undefined : zoneOf(origin)
  const tripZone = zoneOf(pickup)
  const pickupLeg = fillLeg(
    plan,
    {
      car: values,
      zone: carZone === undefined ? undefined : zones.get(carZone),
      onDemand:
        origin === undefined
          ? {}
          : onDemandFeatures({ origin, destination: pickup, at: requestedAt, isPickupLeg: true }),
    },
    rows,
    offset,
  )
  const tripLeg = fillLeg(
    plan,
    {
      car: values,
      zone: tripZone === undefined ? undefined : zones.get(tripZone),
      onDemand: onDemandFeatures({
        origin: pickup,
        destination: dropoff,
        at: requestedAt,
        isPickupLeg: false,
      }),
    },
    rows,
    offset + plan.width,
  )
  // Without a position the pickup leg's on-demand inputs cannot be computed either: name the cause only.
  const refused = distinct([
    ...positionRefusals(values, plan),
    ...pickupLeg.refused.filter((r) => origin !== undefined || r.kind === 'online'),
    ...tripLeg.refused,
  ])
  if (origin === undefined || refused.length > 0) {
    return {
      carId,
      reason: 'feature-unavailable',
      detail: `cannot estimate ${carId}: ${describe(refused)}`,
      refused,
    }
  }
  const lat = values[plan.position.lat]!
  return {
    carId,
    position: { ...origin, eventTime: lat.eventTime!, ageMs: lat.ageMs! },
    pickup: {
      seconds: 0,
      origin,
      destination: pickup,
      originZone: carZone ?? null,
      features: pickupLeg.features,
    },
    trip: {
      seconds: 0,
      origin: pickup,
      destination: dropoff,
      originZone: tripZone ?? null,
      features: tripLeg.features,
    },
    warnings: [...new Set([...pickupLeg.warnings, ...tripLeg.warnings])],
  }
}

/**
 * A scored car from its two predictions. Legs are clamped at zero (a regressor can dip below it on a leg of a
 * few metres) and rounded to 0.1 s.
 *
 * @example
 * scoredCar(car, seconds[2 * k], seconds[2 * k + 1])
 */
export function scoredCar(car: ScorableCar, pickupRaw: number, tripRaw: number): CarOutcome {
  car.pickup.seconds = round1(Math.max(0, pickupRaw))
  car.trip.seconds = round1(Math.max(0, tripRaw))
  return {
    scored: true,
    carId: car.carId,
    etaSeconds: round1(car.pickup.seconds + car.trip.seconds),
    pickupSeconds: car.pickup.seconds,
    tripSeconds: car.trip.seconds,
    position: car.position,
    legs: { pickup: car.pickup, trip: car.trip },
    warnings: car.warnings,
  }
}

/** The position refs that stop a pickup leg: without a position there is no origin to start from. */
function positionRefusals(values: readonly OnlineFeatureValue[], plan: FeaturePlan): FeatureReport[] {
  return [plan.position.lat, plan.position.lon].flatMap((index) => {
    const v = values[index]!
    if (v.status === 'present' && v.value !== null) return []
    return [
      {
        name: plan.carRefNames[index]!,
        kind: 'online' as const,
        entity: v.entity,
        status: v.status,
        action: 'refused' as const,
        value: null,
        eventTime: v.eventTime,
        ageMs: v.ageMs,
      },
    ]
  })
}

function distinct(reports: readonly FeatureReport[]): FeatureReport[] {
  return [...new Map(reports.map((r) => [`${r.name}|${r.entity}`, r])).values()]
}

function describe(refused: readonly FeatureReport[]): string {
  return refused
    .map((r) =>
      r.status === 'expired'
        ? `${r.name} is expired (age ${Math.round((r.ageMs ?? 0) / 1000)} s)`
        : r.status === 'present'
          ? `${r.name} is stored as null`
          : `${r.name} is ${r.status}${r.entity === null ? ' (the origin lies outside the city)' : ''}`,
    )
    .join('; ')
}

function round1(x: number): number {
  return Math.round(x * 10) / 10
}
