import { randomBytes } from 'node:crypto'
import type { RideEvent } from '@freshet/pipelines'
import { type CarOutcome, openServing } from '@freshet/serving'
import { pino } from 'pino'

type Requested = Extract<RideEvent, { type: 'ride_requested' }>

/** A prediction made when a ride was assigned, waiting for the simulator's truth. */
interface Prediction {
  carId: string
  requestedAt: number
  pickupS: number
  tripS: number
  quotedPickupS: number
  warnings: number
}

export interface EtaStageOptions {
  redisUrl: string
  /** Directory of the committed model (model-card.json + model.onnx). */
  modelDir: string
  say(line: string): void
}

/**
 * The dispatcher's side of the demo: the ETA service (the same `openServing` as `npm run serve`, in-process)
 * is asked for every ride assigned while the demo runs live, and each prediction is printed again next to the
 * simulator's true pickup wait and trip duration when they happen. Rides that were already under way when the
 * demo went live are scored at drop-off instead ("what would the service have said for this trip?"), so a short
 * run still shows truth next to predictions.
 *
 * @example
 * const eta = await startEtaStage({ redisUrl, modelDir: 'serving/model', say })
 * tap.onRideEvent((e) => eta.observe(e, live))
 */
export async function startEtaStage(options: EtaStageOptions) {
  const serving = await openServing({
    redisUrl: options.redisUrl,
    modelDir: options.modelDir,
    // The demo calls the service in-process, not over HTTP; the app still wants a key to guard its routes.
    apiKeys: [{ key: randomBytes(24).toString('hex'), scopes: ['predict'] }],
    logger: pino({ level: 'silent' }),
  })
  const { say } = options
  const requested = new Map<string, Requested>()
  const predictions = new Map<string, Prediction>()
  const errors = { pickup: [] as number[], trip: [] as number[], quote: [] as number[] }
  let unscored = 0
  let backtested = 0
  say(`eta service: model ${serving.model.current.version} (in-process, the same app as npm run serve)`)

  async function estimate(carId: string, ride: Pick<Requested, 'pickup' | 'dropoff'>, at: number) {
    const answer = await serving.eta.estimate([carId], {
      pickup: ride.pickup,
      dropoff: ride.dropoff,
      requestedAt: at,
    })
    return answer.cars[0] as CarOutcome
  }

  /**
   * Feeds one ride event. `liveFrom` is when the simulation caught up with the wall clock: events stamped
   * earlier belong to the simulated history (the tap may see them late, while the engine catches up).
   */
  async function observe(event: RideEvent, liveFrom: number): Promise<void> {
    const live = event.ts >= liveFrom
    if (event.type === 'ride_requested') {
      requested.set(event.rideId, event)
      return
    }
    const ride = requested.get(event.rideId)
    if (event.type === 'ride_assigned' && live && ride) {
      const car = await estimate(event.carId, ride, event.ts)
      if (!car.scored) {
        // Typically the first seconds live, while the engine still works through the history: no position yet.
        if (unscored++ === 0)
          say(`eta ${event.rideId} ${event.carId}: not scored (${car.reason}: ${car.detail})`)
        return
      }
      predictions.set(event.rideId, {
        carId: event.carId,
        requestedAt: ride.ts,
        pickupS: car.pickupSeconds,
        tripS: car.tripSeconds,
        quotedPickupS: event.quotedPickupS,
        warnings: car.warnings.length,
      })
      say(
        `eta ${event.rideId} ${event.carId} assigned: pickup ${min(car.pickupSeconds)} + trip ${min(car.tripSeconds)} ` +
          `= ${min(car.etaSeconds)} (dispatcher quote ${min(event.quotedPickupS)} to pickup` +
          `${car.warnings.length > 0 ? `; ${car.warnings.length} feature(s) defaulted` : ''})`,
      )
      return
    }
    const predicted = predictions.get(event.rideId)
    if (event.type === 'ride_picked_up' && predicted) {
      errors.pickup.push(Math.abs(predicted.pickupS - event.waitS))
      errors.quote.push(Math.abs(predicted.quotedPickupS - event.waitS))
      say(
        `eta ${event.rideId} picked up after ${min(event.waitS)}: predicted ${min(predicted.pickupS)}, ` +
          `quoted ${min(predicted.quotedPickupS)}`,
      )
      return
    }
    if (event.type === 'ride_completed') {
      if (predicted) {
        errors.trip.push(Math.abs(predicted.tripS - event.actualDurationS))
        say(
          `eta ${event.rideId} completed: trip took ${min(event.actualDurationS)}, predicted ${min(predicted.tripS)}`,
        )
        return
      }
      if (backtested >= MAX_BACKTESTED) return
      const scored = await estimate(event.carId, event, event.pickedUpAt)
      if (scored.scored) {
        backtested++
        errors.trip.push(Math.abs(scored.tripSeconds - event.actualDurationS))
        say(
          `eta ${event.rideId} completed: trip took ${min(event.actualDurationS)}; the service says ` +
            `${min(scored.tripSeconds)} for it (${live ? 'a ride that began before the demo went live' : 'a ride of the simulated history'}; scored now)`,
        )
      }
    }
  }

  return {
    observe,
    summary(): string {
      const mae = (xs: number[]) => (xs.length === 0 ? '-' : min(xs.reduce((a, b) => a + b, 0) / xs.length))
      const refused = unscored > 0 ? `, ${unscored} assignments not scored (features refused)` : ''
      return (
        `eta summary: ${predictions.size} rides predicted live${refused}; mean abs. error pickup ${mae(errors.pickup)} ` +
        `(dispatcher quote ${mae(errors.quote)}) over ${errors.pickup.length}, trip ${mae(errors.trip)} over ${errors.trip.length}`
      )
    },
    close: () => serving.close(),
  }
}

/** Rides that started before the demo went live, scored at drop-off: a few show truth next to the model. */
const MAX_BACKTESTED = 6

function min(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`
}
