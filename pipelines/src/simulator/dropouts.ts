import type { Rng } from './random.js'

const HOUR_MS = 3_600_000
/** A dropout lasts 20–120 s (uniform): a tunnel, an underpass, a dead zone between cells. */
export const DROPOUT_MIN_MS = 20_000
export const DROPOUT_MAX_MS = 120_000

/**
 * Connectivity dropouts of the fleet's telemetry: while a car drives, a dropout starts as a Poisson event at
 * `perCarHour` per hour on the road (tunnels and dead zones are on roads; parked and charging cars sit where
 * coverage is known), and for its duration none of the car's samples reach the broker.
 *
 * It draws from its own random stream, and only decides whether a sample is lost: the simulation still
 * computes every sample, so a run with dropouts is the same run minus the lost samples.
 *
 * @example
 * const dropouts = new TelemetryDropouts(cars.length, 3, root.fork())
 * if (!dropouts.loses(car.index, t, hasRoute(car))) out.push(sample)
 */
export class TelemetryDropouts {
  private readonly silentUntil: number[]
  private readonly lastAsked: (number | undefined)[]
  private started = 0

  constructor(
    cars: number,
    private readonly perCarHour: number,
    private readonly rng: Rng,
  ) {
    this.silentUntil = new Array<number>(cars).fill(Number.NEGATIVE_INFINITY)
    this.lastAsked = new Array<number | undefined>(cars).fill(undefined)
  }

  /** Dropouts started so far. */
  get count(): number {
    return this.started
  }

  /**
   * Whether the sample car `index` takes at `t` is lost. Ask once per sample, in time order per car: the
   * chance of a new dropout grows with the time since the car's previous sample.
   */
  loses(index: number, t: number, onRoad: boolean): boolean {
    const previous = this.lastAsked[index]
    this.lastAsked[index] = t
    if (t < this.silentUntil[index]!) return true
    if (!onRoad || this.perCarHour <= 0 || previous === undefined) return false
    if (!this.rng.chance(1 - Math.exp((-this.perCarHour * (t - previous)) / HOUR_MS))) return false
    this.started++
    this.silentUntil[index] = t + Math.round(this.rng.between(DROPOUT_MIN_MS, DROPOUT_MAX_MS))
    return true
  }
}
