/**
 * Test-only reference arithmetic: exact rationals with BigInt, independent of the partials algorithm
 * under test. Every finite double is an integer multiple of 2^-1074, so scaled sums are exact integers.
 */

const SCALE_BITS = 1074

/** x · 2^1074 as an exact BigInt. */
export function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const hi = view.getUint32(0)
  const lo = view.getUint32(4)
  const negative = hi >>> 31 === 1
  const exponent = (hi >>> 20) & 0x7ff
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  const magnitude = exponent === 0 ? fraction : ((1n << 52n) | fraction) << BigInt(exponent - 1)
  return negative ? -magnitude : magnitude
}

function bitLength(b: bigint): number {
  return b === 0n ? 0 : b.toString(2).length
}

/** b · 2^-1074 rounded to the nearest double, ties to even. */
export function unscaled(b: bigint): number {
  const sign = b < 0n ? -1 : 1
  const m = b < 0n ? -b : b
  if (m === 0n) return 0
  const shift = bitLength(m) - 53
  if (shift <= 0) return sign * Number(m) * 2 ** -SCALE_BITS
  const q = m >> BigInt(shift)
  const r = m - (q << BigInt(shift))
  const half = 1n << BigInt(shift - 1)
  const rounded = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q
  return sign * Number(rounded) * 2 ** (shift - SCALE_BITS)
}

/** Correctly rounded exact sum. */
export function exactSumReference(xs: readonly number[]): number {
  return unscaled(xs.reduce((acc, x) => acc + scaled(x), 0n))
}

/** num/den as a double, to about 1e-18 relative (plenty for a 1e-12 tolerance). */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const shift = bitLength(den) - bitLength(num) + 64
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift))
  return Number(q) * 2 ** -shift
}

/** Population variance (n·Σx² − (Σx)²)/n², from exact integers. Null when empty. */
export function varianceReference(xs: readonly number[]): number | null {
  if (xs.length === 0) return null
  const n = BigInt(xs.length)
  let s = 0n
  let q = 0n
  for (const x of xs) {
    const b = scaled(x)
    s += b
    q += b * b
  }
  return ratio(n * q - s * s, n * n * (1n << BigInt(2 * SCALE_BITS)))
}
