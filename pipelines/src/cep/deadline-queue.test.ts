import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Deadline, DeadlineQueue } from './deadline-queue.js'

type Op = { set: Deadline } | { delete: string } | { pop: true }

describe('DeadlineQueue', () => {
  it('pops by due time, then key, and moves a key instead of duplicating it', () => {
    const q = new DeadlineQueue()
    q.set('b', 30)
    q.set('a', 30)
    q.set('c', 10)
    q.set('c', 40)
    expect(q.size).toBe(3)
    expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([
      { key: 'a', due: 30 },
      { key: 'b', due: 30 },
      { key: 'c', due: 40 },
      undefined,
    ])
  })

  it('behaves like a sorted map of key to due time under any sequence of operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g')
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ key, due: fc.integer({ min: 0, max: 20 }) }).map((set) => ({ set })),
      key.map((k) => ({ delete: k })),
      fc.constant({ pop: true as const }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new DeadlineQueue()
        const naive = new Map<string, number>()
        const sorted = () =>
          [...naive]
            .map(([k, due]) => ({ key: k, due }))
            .sort((x, y) => x.due - y.due || (x.key < y.key ? -1 : 1))
        for (const o of ops) {
          if ('set' in o) {
            q.set(o.set.key, o.set.due)
            naive.set(o.set.key, o.set.due)
          } else if ('delete' in o) {
            q.delete(o.delete)
            naive.delete(o.delete)
          } else {
            const expected = sorted()[0]
            expect(q.pop()).toEqual(expected)
            if (expected) naive.delete(expected.key)
          }
          expect(q.size).toBe(naive.size)
          expect(q.peek()).toEqual(sorted()[0])
        }
      }),
      { numRuns: 500 },
    )
  })
})
