import fc from 'fast-check'
import murmurhash from 'murmurhash'
import { describe, expect, it } from 'vitest'
import { murmur3 } from './murmur3.js'

const SEEDS = [0, 0x9747b28c, 0x5bd1e995]

describe('murmur3', () => {
  it('equals the murmurhash package for ids, statuses and every length of tail', () => {
    for (const seed of SEEDS) {
      for (const value of ['', 'a', 'ab', 'abc', 'abcd', 'on_trip', 'car-0001', 'z-downtown', '5', '5.5']) {
        expect(murmur3(value, seed)).toBe(murmurhash.v3(value, seed))
      }
    }
  })

  it('equals the murmurhash package for any string, non-ASCII and lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 600 })),
        fc.constantFrom(...SEEDS),
        (value, seed) => {
          expect(murmur3(value, seed)).toBe(murmurhash.v3(value, seed))
        },
      ),
      { numRuns: 500 },
    )
  })
})
