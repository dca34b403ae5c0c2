import type { FeatureRef, LabelRow, TrainingRow } from '@freshet/feature-store'
import { FreshetError, formatFeatureRef } from '@freshet/feature-store'
import type { RideCompleted } from '@freshet/pipelines'
import { createClickHouseOfflineReader } from '@freshet/sinks'
import { type LatLon, onDemandFeatures } from '../features/on-demand.js'
import {
  ETA_ONLINE_INPUTS,
  type OnlineInput,
  POSITION_REFS,
  TRAINING_VIEWS,
  toFeatureRef,
} from './eta-inputs.js'
import { type Leg, legsOf } from './legs.js'

/** One row of the training set: the leg, its label, and every model input by name (null when missing). */
export interface TrainingExample {
  ride_id: string
  leg: 'pickup' | 'trip'
  car: string
  /** Leg start (epoch ms): the time the holdout split orders by. */
  timestamp: number
  duration_s: number
  inputs: Record<string, number | null>
}

export interface TrainingSetResult {
  examples: TrainingExample[]
  /** Rides whose car had no known position at request time: only their trip leg is in the set. */
  ridesWithoutPosition: number
}

export interface BuildTrainingSetOptions {
  /** The embedded chDB dir the feature history was written to (no other process may hold it). */
  dataDir: string
  rides: readonly RideCompleted[]
  online?: readonly OnlineInput[]
}

/**
 * Builds the ETA training set from the offline store with point-in-time joins (`getHistoricalFeatures`):
 * 1. each ride's car position as of its request (`car_location`), the origin of its pickup leg;
 * 2. each leg's online inputs as of the leg's start: car features for its car, zone features for the zone of
 *    its origin, as serving reads them (the value the online store would have served then, ttl enforced);
 * 3. each leg's on-demand inputs, computed by the module serving uses.
 *
 * @example
 * const { examples } = await buildTrainingSet({ dataDir, rides })
 */
export async function buildTrainingSet(options: BuildTrainingSetOptions): Promise<TrainingSetResult> {
  const online = options.online ?? ETA_ONLINE_INPUTS
  const reader = await createClickHouseOfflineReader({ dataDir: options.dataDir, views: TRAINING_VIEWS })
  try {
    const positionLabels: LabelRow[] = options.rides.map((r) => ({
      timestamp: r.requestedAt,
      car: r.carId,
      ride_id: r.rideId,
    }))
    const positionRefs = [toFeatureRef(POSITION_REFS.lat), toFeatureRef(POSITION_REFS.lon)]
    const positions = await collect(reader.getHistoricalFeatures(positionLabels, positionRefs))
    let ridesWithoutPosition = 0
    const legs: Leg[] = options.rides.flatMap((ride, i) => {
      const row = aligned(positions, i, ride.rideId)
      const lat = row[POSITION_REFS.lat]
      const lon = row[POSITION_REFS.lon]
      const position: LatLon | undefined =
        typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : undefined
      if (position === undefined) ridesWithoutPosition++
      return legsOf(ride, position)
    })

    const refs: FeatureRef[] = online.map((i) => toFeatureRef(i.ref))
    // Every view joins on the label column named after its entity: `car` for car views, `zone` for zone views.
    const labels: LabelRow[] = legs.map((l) => ({
      timestamp: l.at,
      car: l.carId,
      zone: l.originZone,
      ride_id: l.rideId,
    }))
    const joined = await collect(reader.getHistoricalFeatures(labels, refs))
    const examples = legs.map((leg, i): TrainingExample => {
      const row = aligned(joined, i, leg.rideId)
      const inputs: Record<string, number | null> = {
        ...onDemandFeatures({
          origin: leg.origin,
          destination: leg.destination,
          at: leg.at,
          isPickupLeg: leg.kind === 'pickup',
        }),
      }
      for (const ref of refs) {
        const value = row[formatFeatureRef(ref)]
        inputs[formatFeatureRef(ref)] = typeof value === 'number' && Number.isFinite(value) ? value : null
      }
      return {
        ride_id: leg.rideId,
        leg: leg.kind,
        car: leg.carId,
        timestamp: leg.at,
        duration_s: leg.durationS,
        inputs,
      }
    })
    return { examples, ridesWithoutPosition }
  } finally {
    await reader.close()
  }
}

async function collect(rows: AsyncIterable<TrainingRow>): Promise<TrainingRow[]> {
  const out: TrainingRow[] = []
  for await (const row of rows) out.push(row)
  return out
}

/** The joined row of label `i`; the reader keeps label order, which this checks rather than trusts. */
function aligned(rows: readonly TrainingRow[], i: number, rideId: string): TrainingRow {
  const row = rows[i]
  if (row === undefined || row.ride_id !== rideId) {
    throw new FreshetError('INTERNAL', `point-in-time rows out of label order at ${i} (ride ${rideId})`)
  }
  return row
}
