import { type AnyFeatureView, type FeatureRef, FreshetError, parseFeatureRef } from '@freshet/feature-store'
import { carBattery, carLocation, carMotion, zoneDemand, zoneTraffic } from '@freshet/pipelines'
import { ON_DEMAND_FEATURES } from '../features/on-demand.js'

/** An online input of the ETA model: a feature ref, whose entity it is read for, and what to do when it is missing. */
export interface OnlineInput {
  ref: string
  /** `car`: the car being estimated; `origin_zone`: the zone of the leg's origin (`zoneOf`). */
  entity: 'car' | 'origin_zone'
  onMissing: 'default' | 'refuse'
  /**
   * The default, imputed in training exactly as serving substitutes it: `mean` of the training split, or `zero`
   * for counts, whose windows emit no record at all when nothing happened (no record = none counted).
   */
  fill: 'mean' | 'zero'
  /** Why the model gets it (goes to the README, not the card). */
  why: string
}

/**
 * The online part of the ETA model's input vector, in order (the on-demand part, `ON_DEMAND_FEATURES`, comes
 * first). Every one has a default for when it is missing: a car or zone that has not reported lately should
 * still get an ETA, with a warning. The car's position is not an input: it enters as the pickup leg's
 * origin (`origin_lat`/`origin_lon`), and serving refuses a pickup ETA without it.
 */
export const ETA_ONLINE_INPUTS: readonly OnlineInput[] = [
  {
    ref: 'car_motion:v1:speed_kmh_mean_15m',
    fill: 'mean',
    entity: 'car',
    onMissing: 'default',
    why: 'how fast this car has been moving: traffic around it',
  },
  {
    ref: 'car_battery:v1:battery_pct_last_15m',
    fill: 'mean',
    entity: 'car',
    onMissing: 'default',
    why: 'cars below 25 % drive in eco mode, about 15 % slower',
  },
  {
    ref: 'zone_traffic:v1:trip_speed_kmh_mean_15m',
    fill: 'mean',
    entity: 'origin_zone',
    onMissing: 'default',
    why: 'congestion where the leg starts (incidents, rush hour)',
  },
  {
    ref: 'zone_traffic:v1:speed_kmh_mean_15m',
    fill: 'mean',
    entity: 'origin_zone',
    onMissing: 'default',
    why: 'mean speed of every car in the origin zone',
  },
  {
    ref: 'zone_traffic:v1:car_id_distinct_15m',
    fill: 'zero',
    entity: 'origin_zone',
    onMissing: 'default',
    why: 'active cars in the origin zone (supply)',
  },
  {
    ref: 'zone_demand:v1:ride_requested_count_15m',
    fill: 'zero',
    entity: 'origin_zone',
    onMissing: 'default',
    why: 'ride requests in the origin zone (demand: busy fleet, longer dispatch)',
  },
]

/** The views a training run computes: those of the inputs, and `car_location` for the pickup legs' origins. */
export const TRAINING_VIEWS: readonly AnyFeatureView[] = [
  carMotion,
  carBattery,
  carLocation,
  zoneTraffic,
  zoneDemand,
]

/** Where a pickup leg starts: the car's position as of the request (the same refs serving reads). */
export const POSITION_REFS = {
  lat: 'car_location:v1:lat_last_1m',
  lon: 'car_location:v1:lon_last_1m',
} as const

/** The model's input names in order: on-demand, then online. */
export function inputNames(online: readonly OnlineInput[] = ETA_ONLINE_INPUTS): string[] {
  return [...ON_DEMAND_FEATURES, ...online.map((i) => i.ref)]
}

/**
 * Parses a ref of a known view, or fails with `CONFIG_INVALID`.
 *
 * @example
 * toFeatureRef('car_motion:v1:speed_kmh_mean_15m') // { view: 'car_motion', version: 1, feature: 'speed_kmh_mean_15m' }
 */
export function toFeatureRef(ref: string, views: readonly AnyFeatureView[] = TRAINING_VIEWS): FeatureRef {
  const parsed = parseFeatureRef(ref)
  const view = views.find(
    (v) => parsed !== undefined && v.name === parsed.view && v.version === parsed.version,
  )
  if (parsed === undefined || view === undefined || !view.outputs.some((o) => o.name === parsed.feature)) {
    throw new FreshetError('CONFIG_INVALID', `ETA input ${ref} is not an output of the training views`)
  }
  return parsed
}
