import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

/**
 * The simulator's only source of randomness: a seeded xoroshiro128+ (pure-rand) plus the few distributions the
 * model needs. Nothing in the event path may call `Math.random`, or runs stop being reproducible.
 *
 * @example
 * const rng = Rng.fromSeed(42)
 * const gapMs = rng.exponential(1 / 60_000) // mean one minute
 */
export class Rng {
  private spareNormal: number | undefined

  private constructor(private readonly gen: JumpableRandomGenerator) {}

  static fromSeed(seed: number): Rng {
    const gen = xoroshiro128plus(seed)
    // xoroshiro's seeding leaves nearby seeds correlated for the first outputs; one jump decorrelates them.
    gen.jump()
    return new Rng(gen)
  }

  /**
   * An independent stream, 2^64 draws away. Giving each concern (demand, traffic, cars) its own stream keeps a
   * change in one from reshuffling the others.
   */
  fork(): Rng {
    const gen = this.gen.clone()
    this.gen.jump()
    return new Rng(gen)
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.gen)
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.uniform()
  }

  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor((max - min + 1) * this.uniform())
  }

  chance(p: number): boolean {
    return this.uniform() < p
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal
      this.spareNormal = undefined
      return z
    }
    const u = 1 - this.uniform() // (0, 1]: log(0) would be -Infinity
    const v = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** Exponential with the given rate (events per unit); the gap between Poisson arrivals. */
  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate
  }

  /** Index drawn with probability proportional to `weights[i]`; -1 when all weights are zero. */
  weighted(weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += w
    if (!(total > 0)) return -1
    let x = this.uniform() * total
    let lastPositive = -1
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] ?? 0
      if (w <= 0) continue
      lastPositive = i
      x -= w
      if (x < 0) return i
    }
    // Float rounding can leave x a hair above zero after the last weight.
    return lastPositive
  }
}
