import { describe, expect, it } from 'vitest'
import { EventQueue } from './event-queue.js'
import { Rng } from './random.js'

describe('EventQueue', () => {
  it('pops by time, and in push order within the same time (like a stable sort)', () => {
    const rng = Rng.fromSeed(1)
    const q = new EventQueue<number>()
    const popped: { timeMs: number; item: number }[] = []
    for (let i = 0; i < 5000; i++) {
      // Interleave pushes and pops, with many equal times, as the simulation does.
      const timeMs = rng.int(0, 200)
      q.push(timeMs, i)
      if (rng.chance(0.3)) popped.push(take(q))
    }
    while (q.size > 0) popped.push(take(q))
    // Naive reference: replay the same pushes/pops against a sorted array.
    const replay = Rng.fromSeed(1)
    const pending: { timeMs: number; item: number }[] = []
    const expected: { timeMs: number; item: number }[] = []
    for (let i = 0; i < 5000; i++) {
      pending.push({ timeMs: replay.int(0, 200), item: i })
      if (replay.chance(0.3)) {
        pending.sort((a, b) => a.timeMs - b.timeMs || a.item - b.item)
        expected.push(pending.shift()!)
      }
    }
    pending.sort((a, b) => a.timeMs - b.timeMs || a.item - b.item)
    expected.push(...pending)
    expect(popped).toEqual(expected)
  })

  it('is empty with an infinite next time', () => {
    const q = new EventQueue<string>()
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY)
    expect(q.pop()).toBeUndefined()
  })
})

function take(q: EventQueue<number>): { timeMs: number; item: number } {
  const { timeMs, item } = q.pop()!
  return { timeMs, item }
}
