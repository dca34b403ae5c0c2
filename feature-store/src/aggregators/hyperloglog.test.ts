import murmurhash from 'murmurhash'
import { describe, expect, it } from 'vitest'
import { FreshetError } from '../errors.js'
import { distinctCount } from './distinct-count.js'
import {
  hllAdd,
  hllCreate,
  hllEstimate,
  hllFromJSON,
  hllMerge,
  hllStandardError,
  hllToJSON,
} from './hyperloglog.js'

const filled = (p: number, n: number, prefix = 'v') => {
  const s = hllCreate(p)
  for (let i = 0; i < n; i++) hllAdd(s, `${prefix}${i}`)
  return s
}

describe('HyperLogLog', () => {
  it('is exact for a few values and within 3 standard errors across cardinalities', () => {
    expect(hllEstimate(hllCreate(12))).toBe(0)
    expect(hllEstimate(filled(12, 1))).toBe(1)
    expect(hllEstimate(filled(12, 3))).toBe(3)
    const se = hllStandardError(12)
    for (const n of [50, 300, 2_000, 10_000, 60_000]) {
      expect(Math.abs(hllEstimate(filled(12, n)) - n)).toBeLessThanOrEqual(3 * se * n)
    }
  })

  it('counts repeats once and numbers by their decimal form', () => {
    const s = hllCreate(12)
    for (const v of ['a', 'b', 'a', 5, '5', 5.5, 'b']) hllAdd(s, v)
    expect(hllEstimate(s)).toBe(4)
  })

  it('gives the same estimate whether registers are sparse or dense', () => {
    const sparse = filled(12, 40)
    expect(sparse.sparse).not.toBeNull()
    const dense = hllMerge(filled(12, 40), filled(12, 200, 'other'))
    expect(dense.dense).not.toBeNull()
    const forced = hllFromJSON('distinct', { p: 12, dense: Buffer.alloc(4096).toString('base64') })
    const union = hllMerge(forced, sparse)
    expect(union.dense).not.toBeNull()
    expect(hllEstimate(union)).toBe(hllEstimate(sparse))
  })

  it('round-trips both representations through JSON', () => {
    for (const s of [filled(12, 20), filled(12, 5_000)]) {
      const back = hllFromJSON('distinct', JSON.parse(JSON.stringify(hllToJSON(s))))
      expect(hllEstimate(back)).toBe(hllEstimate(s))
      expect(hllToJSON(back)).toEqual(hllToJSON(s))
    }
  })

  it('ranks by the second hash when the first one runs out of bits, as the reference formula does', () => {
    const p = 16
    // A value whose first hash has its low 32 − p bits all zero: the only case the second hash decides.
    let value = ''
    for (let i = 0; value === ''; i++)
      if ((murmurhash.v3(`v${i}`, 0x9747b28c) << p) >>> 0 === 0) value = `v${i}`
    const h1 = murmurhash.v3(value, 0x9747b28c)
    const h2 = murmurhash.v3(value, 0x5bd1e995)
    const rank = h2 !== 0 ? 32 - p + Math.clz32(h2) + 1 : 64 - p + 1
    expect(hllToJSON(hllAdd(hllCreate(p), value))).toEqual({ p, sparse: [[h1 >>> (32 - p), rank]] })
  })

  it('rejects bad precisions, mismatched merges and malformed checkpoints', () => {
    expect(() => hllCreate(3)).toThrow(FreshetError)
    expect(() => distinctCount({ precision: 17 })).toThrow(/precision/)
    expect(() => hllMerge(hllCreate(10), hllCreate(12))).toThrow(/precision 10 and 12/)
    expect(() => hllFromJSON('distinct', { p: 12, sparse: [[5000, 1]] })).toThrow(/invalid registers/)
    expect(() => hllFromJSON('distinct', { p: 12, dense: 'AAAA' })).toThrow(/invalid registers/)
    expect(() => distinctCount({ precision: 10 }).fromJSON(hllToJSON(filled(12, 3)))).toThrow(/precision 12/)
  })
})
