import { type FeatureRef, parseFeatureRef } from '@freshet/feature-store'
import type { MissingPolicy, ModelCardJson } from '../model/model-card.js'

/** Where the car's position comes from: the origin of its pickup leg. */
export interface PositionRefs {
  lat: string
  lon: string
}

/** The position the `car_location` view publishes (pipelines/src/features/car-location.ts). */
export const DEFAULT_POSITION_REFS: PositionRefs = {
  lat: 'car_location:v1:lat_last_1m',
  lon: 'car_location:v1:lon_last_1m',
}

/** Where one model input's value comes from. */
export type Column =
  | {
      name: string
      source: 'car' | 'zone'
      index: number
      policy: MissingPolicy
      fallback: number | undefined
    }
  | { name: string; source: 'on_demand'; policy: MissingPolicy; fallback: number | undefined }

/**
 * A model card turned into what a request does: which refs to read for the car and for zones (each once), and,
 * per input column in model order, where its value comes from and what to do when it is missing.
 */
export interface FeaturePlan {
  width: number
  /** Refs read for each car: its online inputs, then the position refs not already among them. */
  carRefs: FeatureRef[]
  carRefNames: string[]
  /** Refs read for each leg's origin zone. */
  zoneRefs: FeatureRef[]
  zoneRefNames: string[]
  columns: Column[]
  /** Indexes into `carRefs` of the position's latitude and longitude. */
  position: { lat: number; lon: number }
}

/**
 * Builds the plan of a (checked) model card.
 *
 * @example
 * const plan = buildFeaturePlan(model.card)
 * plan.carRefNames // ['car_motion:v1:speed_kmh_mean_15m', 'car_location:v1:lat_last_1m', …]
 */
export function buildFeaturePlan(
  card: ModelCardJson,
  position: PositionRefs = DEFAULT_POSITION_REFS,
): FeaturePlan {
  const carRefNames: string[] = []
  const zoneRefNames: string[] = []
  const indexIn = (list: string[], name: string) => {
    const at = list.indexOf(name)
    if (at >= 0) return at
    list.push(name)
    return list.length - 1
  }
  const columns = card.inputs.map((input): Column => {
    const common = { name: input.name, policy: input.on_missing, fallback: input.default }
    if (input.kind === 'on_demand') return { ...common, source: 'on_demand' }
    return input.entity === 'car'
      ? { ...common, source: 'car', index: indexIn(carRefNames, input.name) }
      : { ...common, source: 'zone', index: indexIn(zoneRefNames, input.name) }
  })
  const lat = indexIn(carRefNames, position.lat)
  const lon = indexIn(carRefNames, position.lon)
  const refs = (names: string[]) =>
    names.map((n) => {
      const ref = parseFeatureRef(n)
      if (ref === undefined) throw new TypeError(`not a feature ref: ${n}`)
      return ref
    })
  return {
    width: card.inputs.length,
    carRefs: refs(carRefNames),
    carRefNames,
    zoneRefs: refs(zoneRefNames),
    zoneRefNames,
    columns,
    position: { lat, lon },
  }
}
