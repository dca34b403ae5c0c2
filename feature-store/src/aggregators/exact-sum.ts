/**
 * Exact floating-point summation (Shewchuk's non-overlapping partials, as in Python's `math.fsum`).
 *
 * Why: plain `+=` makes a sum depend on arrival order and on how tiles were grouped, so the live
 * runtime, a replay and the offline driver would disagree in the last bits. Partials hold the exact
 * real sum, `exactValue` rounds it once, correctly, so sum/mean/variance are bit-identical for any order
 * or merge tree. Typical streams keep 1–3 partials, so the cost is a few flops per value.
 *
 * Exact while no intermediate overflows (|values| well below 1e308; squares below ~1e150 for variance).
 */

/** A sum held exactly as non-overlapping floats of increasing magnitude. Plain JSON-safe data. */
export type ExactSum = number[]

/**
 * The empty sum, shared: `exactAdd` never writes into an empty list (it returns a new one when a partial
 * appears), so every state that has summed nothing yet, such as a parked car's speeds, can point here
 * instead of holding an empty array of its own. Frozen, so a write would fail loudly.
 */
export const EMPTY_SUM: ExactSum = Object.freeze([]) as unknown as ExactSum

/**
 * Adds `x` exactly. Returns the partials: the same array, updated in place, or a new one when a partial
 * had to be added (so always use the return value).
 *
 * @example
 * exactValue(exactAdd(exactAdd([], 1e100), 1)) // 1e100, but the 1 is kept: subtracting 1e100 leaves 1
 */
export function exactAdd(partials: ExactSum, x: number): ExactSum {
  let carry = x
  let kept = 0
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j]!
    if (Math.abs(carry) < Math.abs(y)) {
      const t = carry
      carry = y
      y = t
    }
    const hi = carry + y
    const lo = y - (hi - carry)
    if (lo !== 0) partials[kept++] = lo
    carry = hi
  }
  // Zero partials carry nothing; dropping them also keeps -0 from leaking into results.
  if (carry !== 0) {
    // Growing an array in place reserves ~16 spare slots: a window state of one partial would take 190 bytes
    // instead of 64. A new exact-size array costs a copy, and only when the partial count grows.
    if (kept === partials.length) return partials.concat(carry)
    partials[kept++] = carry
  }
  // Truncating is a runtime call even when nothing is dropped, and this runs for every value of a mean.
  if (kept !== partials.length) partials.length = kept
  return partials
}

/**
 * Exact sum of two partial lists, as a new list (inputs untouched).
 *
 * @example
 * exactValue(exactMerge([0.1], [0.2])) // 0.30000000000000004, the correctly rounded 0.1 + 0.2
 */
export function exactMerge(a: ExactSum, b: ExactSum): ExactSum {
  let out = a.slice()
  for (const y of b) out = exactAdd(out, y)
  return out
}

/**
 * The exact sum rounded once to the nearest double (ties to even), like `math.fsum`.
 *
 * @example
 * exactValue(exactAdd(exactAdd(exactAdd([], 0.1), 0.2), -0.3)) // 2.7755575615628914e-17, exactly
 */
export function exactValue(partials: ExactSum): number {
  let n = partials.length
  if (n === 0) return 0
  n--
  let hi = partials[n]!
  let lo = 0
  while (n > 0) {
    const x = hi
    n--
    const y = partials[n]!
    hi = x + y
    const yr = hi - x
    lo = y - yr
    if (lo !== 0) break
  }
  // Round-half-even correction: the remaining partials can push a tie in `lo` one way.
  if (n > 0) {
    const below = partials[n - 1]!
    if ((lo < 0 && below < 0) || (lo > 0 && below > 0)) {
      const y = lo * 2
      const x = hi + y
      if (y === x - hi) hi = x
    }
  }
  return hi
}

// 2^27 + 1: Veltkamp's constant that splits a double into two 26-bit halves.
const SPLITTER = 134_217_729

/**
 * `a * b` as an exact pair `[product, error]` (Dekker's TwoProduct; exact barring overflow/underflow).
 *
 * @example
 * const [p, e] = twoProduct(0.1, 0.1) // p + e === 0.1 * 0.1 in real arithmetic
 */
export function twoProduct(a: number, b: number): [number, number] {
  const p = a * b
  return [p, productError(a, b, p)]
}

/**
 * Adds `a * b` exactly: `exactAdd` of both halves of `twoProduct(a, b)`, without allocating the pair (this
 * runs for every value a variance sees). Returns the partials, as `exactAdd` does.
 *
 * @example
 * exactValue(exactAddProduct([], 0.1, 0.1)) // 0.010000000000000002, the correctly rounded 0.1 * 0.1
 */
export function exactAddProduct(partials: ExactSum, a: number, b: number): ExactSum {
  const p = a * b
  return exactAdd(exactAdd(partials, p), productError(a, b, p))
}

/** The rounding error of the float product `p = a * b` (Veltkamp split of both factors). */
function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a
  const aHi = ca - (ca - a)
  const aLo = a - aHi
  const cb = SPLITTER * b
  const bHi = cb - (cb - b)
  const bLo = b - bHi
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo
}
