import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exactAdd, exactMerge, exactValue, twoProduct } from './exact-sum.js'
import { anyDouble } from './testing/arbitraries.js'
import { exactSumReference, scaled } from './testing/exact-reference.js'

const sumOf = (xs: readonly number[]) => exactValue(xs.reduce((p, x) => exactAdd(p, x), [] as number[]))

describe('exact summation', () => {
  it('keeps what plain addition loses', () => {
    expect(sumOf([1e100, 1, -1e100])).toBe(1)
    expect(sumOf([0.1, 0.2, -0.3])).toBe(2.7755575615628914e-17)
    expect(sumOf([0.1, 0.2, 0.3])).toBe(0.6)
    expect(sumOf([])).toBe(0)
    expect(Object.is(sumOf([-0, -0]), 0)).toBe(true)
  })

  it('rounds the exact sum once, ties to even', () => {
    // 1 + 2^-53 is a tie between 1 and 1 + 2^-52; the tiny third term decides it upward.
    expect(sumOf([1, 2 ** -53, 2 ** -105])).toBe(1 + 2 ** -52)
    expect(sumOf([1, 2 ** -53])).toBe(1)
  })

  it('equals the correctly rounded exact sum for any order and any merge grouping', () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { maxLength: 60 }), fc.nat(), (xs, cut) => {
        const expected = exactSumReference(xs)
        expect(sumOf(xs)).toBe(expected)
        expect(sumOf([...xs].reverse())).toBe(expected)
        const at = xs.length === 0 ? 0 : cut % xs.length
        const left = xs.slice(0, at).reduce((p, x) => exactAdd(p, x), [] as number[])
        const right = xs.slice(at).reduce((p, x) => exactAdd(p, x), [] as number[])
        const before = [left.slice(), right.slice()]
        expect(exactValue(exactMerge(left, right))).toBe(expected)
        expect(exactValue(exactMerge(right, left))).toBe(expected)
        expect([left, right]).toEqual(before)
      }),
      { numRuns: 300 },
    )
  })

  it('twoProduct returns the product and its exact rounding error', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => {
        const [p, e] = twoProduct(a, b)
        expect(p).toBe(a * b)
        // scaled() is x·2^1074, so a product carries 2^2148: compare in that scale.
        expect(scaled(p) * 2n ** 1074n + scaled(e) * 2n ** 1074n).toBe(scaled(a) * scaled(b))
      }),
      { numRuns: 300 },
    )
  })
})
