import { describe, expect, it } from 'vitest'
import { backoffMs } from './backoff.js'

const steady = { initialMs: 200, maxMs: 5_000, jitter: 0 }

describe('backoffMs', () => {
  it('doubles from the initial wait and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((a) => backoffMs(a, steady))).toEqual([
      200, 400, 800, 1600, 3200, 5000, 5000,
    ])
  })

  it('jitters within ±jitter of the nominal wait and never past the cap', () => {
    const policy = { ...steady, jitter: 0.2 }
    expect(backoffMs(1, policy, () => 0)).toBe(160)
    expect(backoffMs(1, policy, () => 0.999_999)).toBe(240)
    expect(backoffMs(10, policy, () => 0.999_999)).toBe(5_000)
    expect(backoffMs(10, policy, () => 0)).toBe(4_000)
  })
})
