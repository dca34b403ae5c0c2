import type { CarTelemetry } from '../events/car-telemetry.js'
import type { RideEvent } from '../events/ride-event.js'
import { advanceCar, type Car, clearRoute, decideSpeed, hasRoute, msToRouteEnd, setRoute } from './car.js'
import { type City, createCity } from './city.js'
import { Demand } from './demand.js'
import { type DispatchAction, Dispatcher } from './dispatcher.js'
import { TelemetryDropouts } from './dropouts.js'
import { EventQueue } from './event-queue.js'
import { createFleet, nearestDepot, repositionTarget } from './fleet.js'
import { type ResolvedOptions, resolveOptions, type SimulatorOptions } from './options.js'
import { Rng } from './random.js'
import { planRoute } from './route.js'
import { telemetrySample } from './telemetry.js'
import { Traffic } from './traffic.js'

/**
 * One simulated event, in event-time order.
 *
 * @example
 * for (const e of simulate(options)) if (e.kind === 'ride') console.log(e.event.type)
 */
export type SimEvent = { kind: 'telemetry'; event: CarTelemetry } | { kind: 'ride'; event: RideEvent }

/** Counters of a run so far. */
export interface SimulationStats {
  telemetry: number
  /** Connectivity dropouts started (each lost 20–120 s of a car's telemetry). */
  telemetryDropouts: number
  rideEvents: number
  requested: number
  completed: number
  cancelled: number
}

type Action = { kind: 'car'; car: Car } | { kind: 'demand'; zone: number } | DispatchAction

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
/** Idle parked cars start cruising towards demand about once per this long. */
const MEAN_PARKED_MS = 15 * MINUTE_MS

/**
 * The pure simulation: a discrete-event loop over cars, riders and the dispatcher, driven by one seeded PRNG and
 * a simulated clock. Every action is scheduled at an integer millisecond, and actions run in (time, scheduling
 * order), so events come out in non-decreasing event time and the same options always give the same events.
 * Trip durations are not drawn from a formula: they are however long the car took to drive the route, through
 * each zone's traffic at that hour, stopping at lights, slower in eco mode.
 * Nothing here reads the wall clock or does I/O; `run-simulator.ts` does that.
 *
 * @example
 * const sim = new Simulation({ seed: 1, cars: 10, startMs: Date.UTC(2025, 0, 6) })
 * const firstMinute = sim.step(Date.UTC(2025, 0, 6, 0, 1)) // events with ts < 00:01
 */
export class Simulation {
  readonly options: ResolvedOptions
  private readonly city: City
  private readonly cars: readonly Car[]
  private readonly traffic: Traffic
  private readonly demand: Demand
  private readonly dispatcher: Dispatcher
  private readonly queue = new EventQueue<Action>()
  private readonly carRng: Rng
  private readonly demandRng: Rng
  private readonly dropouts: TelemetryDropouts
  private out: SimEvent[] = []
  private clock: number
  private telemetryCount = 0
  private rideEventCount = 0

  constructor(options: SimulatorOptions) {
    const o = resolveOptions(options)
    this.options = o
    this.clock = o.startMs
    // One stream per concern, so e.g. more demand does not reshuffle every car's speed noise.
    const root = Rng.fromSeed(o.seed)
    const fleetRng = root.fork()
    this.carRng = root.fork()
    this.demandRng = root.fork()
    const riderRng = root.fork()
    const trafficRng = root.fork()
    // Forked last, so the other streams draw as they did before dropouts existed: a run with dropouts is the
    // same run minus the lost samples.
    const dropoutRng = root.fork()
    this.city = createCity(o.zones, o.cityCentre)
    this.demand = new Demand(this.city, {
      ridesPerHour: o.ridesPerCarHour * o.cars,
      utcOffsetMin: o.utcOffsetMin,
    })
    this.traffic = new Traffic(
      this.city,
      trafficRng,
      { utcOffsetMin: o.utcOffsetMin, incidentsPerZoneDay: o.incidentsPerZoneDay },
      o.startMs,
    )
    this.cars = createFleet(this.city, this.demand, fleetRng, o)
    this.dropouts = new TelemetryDropouts(o.cars, o.telemetryDropoutsPerCarHour, dropoutRng)
    this.dispatcher = new Dispatcher({
      cars: this.cars,
      city: this.city,
      demand: this.demand,
      options: o,
      rngs: { demand: this.demandRng, rider: riderRng, car: this.carRng },
      schedule: (timeMs, action) => this.queue.push(timeMs, action),
      emit: (event) => this.emitRide(event),
      // Run-scoped ride ids, so a second run into the same topic does not reuse ride ids.
      runTag: `${o.seed < 0 ? 'n' : ''}${Math.abs(o.seed).toString(36)}-${Math.floor(o.startMs / 1000).toString(36)}`,
    })
    for (const car of this.cars) this.queue.push(car.nextSampleMs, { kind: 'car', car })
    for (let zone = 0; zone < this.city.zones.length; zone++) this.scheduleDemand(zone, o.startMs)
  }

  /** Simulated time up to which all events have been emitted. */
  get clockMs(): number {
    return this.clock
  }

  get stats(): SimulationStats {
    return {
      telemetry: this.telemetryCount,
      telemetryDropouts: this.dropouts.count,
      rideEvents: this.rideEventCount,
      ...this.dispatcher.counters,
    }
  }

  /**
   * Advances the simulation to `untilMs` and returns every event with `ts < untilMs` not returned before, in
   * non-decreasing `ts` order.
   */
  step(untilMs: number): SimEvent[] {
    while (this.queue.peekTime() < untilMs) {
      const { timeMs, item } = this.queue.pop()!
      if (item.kind === 'car') this.wakeCar(item.car, timeMs)
      else if (item.kind === 'demand') this.demandCandidate(item.zone, timeMs)
      else this.dispatcher.run(item, timeMs)
    }
    if (untilMs > this.clock) this.clock = untilMs
    const out = this.out
    this.out = []
    return out
  }

  /**
   * A car's turn: catch up its movement, react to arrivals and timers, decide its speed until the next turn, report
   * telemetry if a sample is due (and no dropout loses it), and schedule the next turn (next sample, end of a
   * wait, or exact arrival time).
   */
  private wakeCar(car: Car, t: number): void {
    const o = this.options
    const dtMs = t - car.lastMs
    advanceCar(car, t)
    if (car.route.length > 0 && !hasRoute(car)) this.arrive(car, t)
    if (car.task === 'boarding' && t >= car.holdUntilMs) {
      car.task = 'on_trip'
      setRoute(car, planRoute(car.pos, this.dispatcher.riderBoarded(car, t), this.carRng), this.carRng)
    }
    if (car.task === 'offline' && t >= car.holdUntilMs) car.task = 'parked'
    if (car.task === 'charging' && car.batteryPct >= car.chargeTargetPct) car.task = 'parked'
    if (car.task === 'to_pickup' && this.carRng.chance(perStep(o.faultsPerPickupDay, dtMs))) {
      this.dispatcher.carFailed(car, t)
      car.task = 'offline'
      car.holdUntilMs = t + Math.round(this.carRng.between(30, 120) * MINUTE_MS)
    }
    if ((car.task === 'parked' && t >= car.holdUntilMs) || car.task === 'cruising') this.idle(car, t, dtMs)

    const road = this.traffic.at(car.pos, t)
    car.zoneIndex = road.zoneIndex
    decideSpeed(car, t, dtMs, road, this.carRng, o)
    if (t >= car.nextSampleMs) {
      // A lost sample is still taken (same noise draws), so dropouts change nothing but what is emitted.
      const sample = telemetrySample(car, t, this.city, this.carRng)
      if (!this.dropouts.loses(car.index, t, hasRoute(car))) {
        this.telemetryCount++
        this.out.push({ kind: 'telemetry', event: sample })
      }
      const jitter = o.telemetryJitterMs
      car.nextSampleMs += o.telemetryIntervalMs + (jitter > 0 ? this.carRng.int(-jitter, jitter) : 0)
    }

    let next = car.nextSampleMs
    if (car.holdUntilMs > t && car.holdUntilMs < next) next = car.holdUntilMs
    const arrival = t + msToRouteEnd(car)
    if (arrival < next) next = arrival
    this.queue.push(Math.max(next, t + 1), { kind: 'car', car })
  }

  /** The car reached the end of its route; what that means depends on why it was driving. */
  private arrive(car: Car, t: number): void {
    clearRoute(car)
    const rng = this.carRng
    switch (car.task) {
      case 'to_pickup':
        car.task = 'boarding'
        // The rider walks to the car and gets in.
        car.holdUntilMs = t + Math.round(rng.between(15_000, 75_000))
        return
      case 'on_trip':
        this.dispatcher.rideArrived(car, t)
        car.task = 'parked'
        car.holdUntilMs = t + Math.round(rng.between(10_000, 30_000))
        return
      case 'to_depot':
        car.task = 'charging'
        car.chargeTargetPct = rng.between(88, 98)
        return
      default:
        car.task = 'parked'
    }
  }

  /** Idle cars: charge when low, sometimes go offline, sometimes cruise towards demand. */
  private idle(car: Car, t: number, dtMs: number): void {
    const rng = this.carRng
    if (car.batteryPct < this.options.lowBatteryPct) {
      car.task = 'to_depot'
      setRoute(car, planRoute(car.pos, nearestDepot(this.city, car.pos), rng), rng)
      return
    }
    if (rng.chance(perStep(this.options.offlinePerCarDay, dtMs))) {
      clearRoute(car)
      car.task = 'offline'
      car.holdUntilMs = t + Math.round(rng.between(10, 90) * MINUTE_MS)
      return
    }
    if (car.task === 'parked' && rng.chance(1 - Math.exp(-dtMs / MEAN_PARKED_MS))) {
      car.task = 'cruising'
      setRoute(car, planRoute(car.pos, repositionTarget(this.city, this.demand, car.pos, t, rng), rng), rng)
    }
  }

  /** A candidate arrival of the zone's Poisson process, thinned to the rate at this hour. */
  private demandCandidate(zone: number, t: number): void {
    const max = this.demand.maxRatePerHour[zone]!
    if (this.demandRng.uniform() * max < this.demand.ratePerHour(zone, t)) this.dispatcher.request(zone, t)
    this.scheduleDemand(zone, t)
  }

  private scheduleDemand(zone: number, t: number): void {
    const max = this.demand.maxRatePerHour[zone]!
    if (max <= 0) return
    const gap = Math.max(1, Math.round(this.demandRng.exponential(max / HOUR_MS)))
    this.queue.push(t + gap, { kind: 'demand', zone })
  }

  private emitRide(event: RideEvent): void {
    this.rideEventCount++
    this.out.push({ kind: 'ride', event })
  }
}

/** Probability that a Poisson event with `perDay` rate happens within `dtMs`. */
function perStep(perDay: number, dtMs: number): number {
  return perDay <= 0 || dtMs <= 0 ? 0 : 1 - Math.exp((-perDay * dtMs) / DAY_MS)
}

/**
 * Simulates `options.durationMs` (unbounded if absent) from `options.startMs`, yielding events in event-time
 * order. Pure and deterministic: the same options give the same sequence, byte for byte.
 *
 * @example
 * const events = [...simulate({ seed: 42, cars: 20, startMs: Date.UTC(2025, 0, 6, 7), durationMs: 20 * 60_000 })]
 */
export function* simulate(options: SimulatorOptions): Generator<SimEvent, SimulationStats> {
  const sim = new Simulation(options)
  const endMs = options.startMs + (options.durationMs ?? Number.POSITIVE_INFINITY)
  while (sim.clockMs < endMs) yield* sim.step(Math.min(endMs, sim.clockMs + MINUTE_MS))
  return sim.stats
}
