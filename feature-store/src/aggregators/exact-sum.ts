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
 * Adds `x` exactly. Mutates and returns `partials`.
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
  partials.length = kept
  // Zero partials carry nothing; dropping them also keeps -0 from leaking into results.
  if (carry !== 0) partials.push(carry)
  return partials
}

/**
 * Exact sum of two partial lists, as a new list (inputs untouched).
 *
 * @example
 * exactValue(exactMerge([0.1], [0.2])) // 0.30000000000000004, the correctly rounded 0.1 + 0.2
 */
export function exactMerge(a: ExactSum, b: ExactSum): ExactSum {
  const out = a.slice()
  for (const y of b) exactAdd(out, y)
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
  const ca = SPLITTER * a
  const aHi = ca - (ca - a)
  const aLo = a - aHi
  const cb = SPLITTER * b
  const bHi = cb - (cb - b)
  const bLo = b - bHi
  const err = aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo
  return [p, err]
}
