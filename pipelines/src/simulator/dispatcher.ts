import type { RideEvent } from '../events/ride-event.js'
import { advanceCar, type Car, clearRoute, setRoute, statusOf } from './car.js'
import type { City } from './city.js'
import type { Demand } from './demand.js'
import { estimateTripPct } from './energy.js'
import type { ResolvedOptions } from './options.js'
import { distanceKm, type PlanePoint } from './plane.js'
import type { Rng } from './random.js'
import {
  type Ride,
  rideAssigned,
  rideCancelled,
  rideCompleted,
  ridePickedUp,
  rideRequested,
  riderCancelDelayMs,
  riderPatienceMs,
} from './rides.js'
import { planRoute } from './route.js'

/** Timed dispatcher work the simulation schedules on its queue and hands back via {@link Dispatcher.run}. */
export type DispatchAction =
  | { kind: 'dispatch' }
  | { kind: 'give-up'; ride: Ride }
  | { kind: 'rider-cancel'; ride: Ride }

export interface DispatcherDeps {
  readonly cars: readonly Car[]
  readonly city: City
  readonly demand: Demand
  readonly options: ResolvedOptions
  /** Stream for where riders go; the rider stream for how patient they are; the car stream for routes. */
  readonly rngs: { demand: Rng; rider: Rng; car: Rng }
  schedule(timeMs: number, action: DispatchAction): void
  emit(event: RideEvent): void
  /** Distinguishes ride ids of different runs (`ride-<runTag>-000001`). */
  readonly runTag: string
}

export interface RideCounters {
  requested: number
  completed: number
  cancelled: number
}

type CancelReason = 'rider_cancelled' | 'no_car_available' | 'car_fault'

/** Farther than this the rider is better off waiting for a closer car. */
const MAX_PICKUP_KM = 10
/** Charge a car must still have after pickup and trip (estimated) to be sent. */
const RESERVE_PCT = 8

/**
 * The dispatch system: turns requests into ride lifecycles. Assigns the nearest idle car that has the battery for
 * the job, retries waiting requests every few seconds, gives up (`no_car_available`) or lets the rider give up
 * (`rider_cancelled`), and books pickups, completions and car faults as the cars report them.
 *
 * @example
 * const dispatcher = new Dispatcher(deps)
 * dispatcher.request(zoneIndex, t) // emits ride_requested, and ride_assigned if a car is free
 */
export class Dispatcher {
  readonly counters: RideCounters = { requested: 0, completed: 0, cancelled: 0 }
  private readonly activeRide: (Ride | undefined)[]
  private readonly waiting: Ride[] = []
  private dispatchScheduled = false
  private rideSeq = 0

  constructor(private readonly deps: DispatcherDeps) {
    this.activeRide = deps.cars.map(() => undefined)
  }

  /** A new ride request from `zone` at `t`. */
  request(zone: number, t: number): void {
    const { city, demand, options, rngs } = this.deps
    const pickup = demand.pointIn(zone, rngs.demand)
    const dropoffZone = demand.dropoffZone(zone, t, rngs.demand)
    const dropoff = demand.dropoffPoint(dropoffZone, pickup, rngs.demand)
    const ride: Ride = {
      id: `ride-${this.deps.runTag}-${String(++this.rideSeq).padStart(6, '0')}`,
      riderId: `rider-${String(rngs.demand.int(1, options.riders)).padStart(6, '0')}`,
      requestedAt: t,
      pickup,
      dropoff,
      // What the geofence says, so ride zones agree with the zones cars report.
      pickupZone: city.zones[city.locate(pickup).index]!.id,
      dropoffZone: city.zones[city.locate(dropoff).index]!.id,
      patienceMs: riderPatienceMs(rngs.rider),
      state: 'waiting',
      car: undefined,
      pickedUpAt: 0,
      odometerAtPickupKm: 0,
    }
    this.counters.requested++
    this.deps.emit(rideRequested(ride, city.plane))
    if (this.tryAssign(ride, t)) return
    this.waiting.push(ride)
    this.deps.schedule(t + Math.min(ride.patienceMs, options.maxDispatchWaitMs), { kind: 'give-up', ride })
    if (!this.dispatchScheduled) {
      this.dispatchScheduled = true
      this.deps.schedule(t + options.dispatchRetryMs, { kind: 'dispatch' })
    }
  }

  run(action: DispatchAction, t: number): void {
    switch (action.kind) {
      case 'dispatch':
        this.dispatchWaiting(t)
        break
      case 'give-up':
        this.giveUp(action.ride, t)
        break
      case 'rider-cancel':
        // Riders only cancel before pickup.
        if (action.ride.state === 'assigned') this.cancel(action.ride, t, 'rider_cancelled')
        break
    }
  }

  /** The rider got in: emits `ride_picked_up` and returns where to drive. */
  riderBoarded(car: Car, t: number): PlanePoint {
    const ride = this.activeRide[car.index]!
    ride.state = 'on_board'
    ride.pickedUpAt = t
    ride.odometerAtPickupKm = car.odometerKm
    this.deps.emit(ridePickedUp(ride, car, t))
    return ride.dropoff
  }

  /** The car reached the drop-off: emits `ride_completed`, with duration and distance from its own driving. */
  rideArrived(car: Car, t: number): void {
    const ride = this.activeRide[car.index]!
    ride.state = 'closed'
    this.activeRide[car.index] = undefined
    this.counters.completed++
    this.deps.emit(rideCompleted(ride, car, t, this.deps.city.plane))
  }

  /** The car broke down on its way to a pickup. */
  carFailed(car: Car, t: number): void {
    const ride = this.activeRide[car.index]
    if (ride !== undefined) this.cancel(ride, t, 'car_fault')
  }

  private tryAssign(ride: Ride, t: number): boolean {
    const { options, rngs } = this.deps
    const car = nearestAvailableCar(this.deps.cars, ride.pickup, distanceKm(ride.pickup, ride.dropoff), {
      lowBatteryPct: options.lowBatteryPct,
      maxPickupKm: MAX_PICKUP_KM,
    })
    if (car === undefined) return false
    advanceCar(car, t)
    const quotedPickupS = Math.round((distanceKm(car.pos, ride.pickup) / options.nominalPickupKmh) * 3600)
    car.task = 'to_pickup'
    car.holdUntilMs = t
    setRoute(car, planRoute(car.pos, ride.pickup, rngs.car), rngs.car)
    ride.state = 'assigned'
    ride.car = car
    this.activeRide[car.index] = ride
    this.deps.emit(rideAssigned(ride, car, t, quotedPickupS))
    const cancelIn = riderCancelDelayMs(quotedPickupS, rngs.rider)
    if (cancelIn !== undefined) this.deps.schedule(t + Math.max(1, cancelIn), { kind: 'rider-cancel', ride })
    return true
  }

  private dispatchWaiting(t: number): void {
    let kept = 0
    for (const ride of this.waiting) {
      if (ride.state === 'waiting' && !this.tryAssign(ride, t)) this.waiting[kept++] = ride
    }
    this.waiting.length = kept
    this.dispatchScheduled = kept > 0
    if (this.dispatchScheduled)
      this.deps.schedule(t + this.deps.options.dispatchRetryMs, { kind: 'dispatch' })
  }

  private giveUp(ride: Ride, t: number): void {
    if (ride.state !== 'waiting') return
    const index = this.waiting.indexOf(ride)
    if (index >= 0) this.waiting.splice(index, 1)
    // Whoever runs out of patience first: the rider, or the dispatcher's own timeout.
    const reason =
      ride.patienceMs < this.deps.options.maxDispatchWaitMs ? 'rider_cancelled' : 'no_car_available'
    this.cancel(ride, t, reason)
  }

  /** Cancels a ride and frees its car, if any, where it stands. */
  private cancel(ride: Ride, t: number, reason: CancelReason): void {
    ride.state = 'closed'
    const car = ride.car
    if (car !== undefined) {
      advanceCar(car, t)
      clearRoute(car)
      car.task = 'parked'
      car.holdUntilMs = t
      this.activeRide[car.index] = undefined
    }
    this.counters.cancelled++
    this.deps.emit(rideCancelled(ride, t, reason))
  }
}

export interface DispatchParams {
  lowBatteryPct: number
  maxPickupKm: number
}

/**
 * The dispatcher's choice for a request: the nearest idle car (straight-line) that can do the pickup and the trip
 * without dropping under a reserve. Undefined when no car qualifies; the request then waits.
 *
 * @example
 * const car = nearestAvailableCar(cars, ride.pickup, tripKm, { lowBatteryPct: 15, maxPickupKm: 10 })
 */
export function nearestAvailableCar(
  cars: readonly Car[],
  pickup: PlanePoint,
  tripKm: number,
  params: DispatchParams,
): Car | undefined {
  let best: Car | undefined
  let bestKm = params.maxPickupKm
  for (const car of cars) {
    if (statusOf(car.task) !== 'idle' || car.batteryPct < params.lowBatteryPct) continue
    const km = distanceKm(car.pos, pickup)
    if (km >= bestKm) continue
    if (car.batteryPct - estimateTripPct(km + tripKm) < RESERVE_PCT) continue
    best = car
    bestKm = km
  }
  return best
}
