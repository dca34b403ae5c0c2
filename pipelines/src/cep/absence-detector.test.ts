import { describe, expect, it } from 'vitest'
import { AbsenceDetector } from './absence-detector.js'
import type { AlertRecord } from './alert-record.js'
import { type Ping, pingPattern } from './testing.js'

const T0 = 1_764_000_000_000
const S = 1000
const TIMEOUT = 30 * S
const pattern = pingPattern(TIMEOUT, 10 * 60 * S)

let serial = 0
function ping(k: string, atS: number, on = true): Ping {
  serial++
  return { k, ts: T0 + atS * S, on, n: serial }
}

/** The engine's order: the event, then the watermark moves to its time if that is higher. */
function feed(d: AbsenceDetector<Ping>, ...events: Ping[]): AlertRecord[] {
  return events.flatMap((e) => [...d.add(e), ...d.advance(Math.max(d.watermark, e.ts))])
}

function fired(last: Ping, watermark: number): AlertRecord {
  return {
    id: `ping_gap:v2:${last.k}:${last.ts}:fired`,
    pattern: 'ping_gap',
    version: 2,
    entity: 'pinger',
    key: last.k,
    kind: 'fired',
    lastSeenAt: last.ts,
    eventTime: last.ts + TIMEOUT,
    watermark,
    context: { n: last.n, on: last.on },
  }
}

function resolved(last: Ping, back: Ping, watermark: number): AlertRecord {
  return {
    id: `ping_gap:v2:${last.k}:${last.ts}:resolved`,
    pattern: 'ping_gap',
    version: 2,
    entity: 'pinger',
    key: last.k,
    kind: 'resolved',
    lastSeenAt: last.ts,
    eventTime: back.ts,
    gapMs: back.ts - last.ts,
    watermark,
    context: { n: back.n, on: back.on },
  }
}

describe('AbsenceDetector', () => {
  it('arms on an event that satisfies the condition and fires once when the watermark reaches the deadline', () => {
    const d = new AbsenceDetector(pattern)
    const a = ping('car-1', 0)
    expect(feed(d, a)).toEqual([])
    expect(d.openKeys).toBe(1)
    expect(d.advance(a.ts + TIMEOUT - 1)).toEqual([])
    // Exactly at the deadline: 30 s of silence is enough.
    expect(d.advance(a.ts + TIMEOUT)).toEqual([fired(a, a.ts + TIMEOUT)])
    expect(d.advance(a.ts + 5 * TIMEOUT)).toEqual([])
    expect(d.openKeys).toBe(1) // remembered, so its return can be resolved
  })

  it('does not fire when the newest event fails the condition, and then forgets the key', () => {
    const d = new AbsenceDetector(pattern)
    expect(feed(d, ping('car-1', 0), ping('car-1', 10, false))).toEqual([])
    expect(d.advance(T0 + 39 * S)).toEqual([])
    expect(d.openKeys).toBe(1)
    expect(d.advance(T0 + 40 * S)).toEqual([]) // the non-trip event's own deadline: nothing older can matter now
    expect(d.openKeys).toBe(0)
  })

  it('re-arms from the newest event, so the deadline moves with every on-trip event', () => {
    const d = new AbsenceDetector(pattern)
    const last = ping('car-1', 20)
    expect(feed(d, ping('car-1', 0), ping('car-1', 5, false), last)).toEqual([])
    expect(d.advance(T0 + 49 * S)).toEqual([])
    expect(d.advance(T0 + 50 * S)).toEqual([fired(last, T0 + 50 * S)])
  })

  it('ignores an out-of-order older event and a duplicate time, whatever their condition', () => {
    const d = new AbsenceDetector(pattern)
    const newest = ping('car-1', 10)
    expect(feed(d, newest, ping('car-1', 5, false), ping('car-1', 10, false))).toEqual([])
    expect(d.advance(T0 + 40 * S)).toEqual([fired(newest, T0 + 40 * S)])

    const e = new AbsenceDetector(pattern)
    expect(feed(e, ping('car-2', 10, false), ping('car-2', 5, true))).toEqual([])
    expect(e.advance(T0 + 100 * S)).toEqual([])
  })

  it('fires several keys in deterministic order: by deadline, then key', () => {
    const d = new AbsenceDetector(pattern)
    const b = ping('car-b', 10)
    const a = ping('car-a', 10)
    const c = ping('car-c', 3)
    const z = ping('car-z', 7, false)
    expect(feed(d, b, z, c, a)).toEqual([])
    const w = T0 + 60 * S
    expect(d.advance(w)).toEqual([fired(c, w), fired(a, w), fired(b, w)])
  })

  it('resolves a fired key at its next newer event, with the gap, then follows that event', () => {
    const d = new AbsenceDetector(pattern)
    const last = ping('car-1', 0)
    const other = ping('car-2', 45, false)
    expect(feed(d, last, other)).toEqual([fired(last, other.ts)])
    const back = ping('car-1', 74)
    // Back on a trip: resolved, and armed again from the new event.
    expect(feed(d, ping('car-1', -3), back)).toEqual([resolved(last, back, back.ts)])
    const idle = ping('car-1', 80, false)
    expect(feed(d, idle)).toEqual([])
    expect(d.advance(Number.POSITIVE_INFINITY)).toEqual([])

    const e = new AbsenceDetector(pattern)
    const again = ping('car-1', 40)
    expect(feed(e, last, ping('car-2', 31, false), again)).toEqual([
      fired(last, T0 + 31 * S),
      resolved(last, again, T0 + 40 * S),
    ])
    expect(e.advance(T0 + 70 * S)).toEqual([fired(again, T0 + 70 * S)])
  })

  it('ends the input with advance(+Infinity): every armed key fires, carrying its deadline as watermark', () => {
    const d = new AbsenceDetector(pattern)
    const a = ping('car-1', 0)
    const b = ping('car-2', 2)
    feed(d, a, b, ping('car-3', 1, false))
    expect(d.advance(Number.POSITIVE_INFINITY)).toEqual([fired(a, a.ts + TIMEOUT), fired(b, b.ts + TIMEOUT)])
    expect(d.openKeys).toBe(0)
    expect(feed(d, ping('car-1', 100))).toEqual([])
  })

  it('does not arm on an event that arrives after its own deadline passed', () => {
    const d = new AbsenceDetector(pattern)
    feed(d, ping('car-9', 100, false))
    expect(feed(d, ping('car-1', 70))).toEqual([]) // 70 + 30 ≤ 100: too late to say anything
    expect(d.openKeys).toBe(1)
    const fresh = ping('car-1', 71)
    expect(feed(d, fresh)).toEqual([])
    expect(d.advance(T0 + 101 * S)).toEqual([fired(fresh, T0 + 101 * S)])
  })

  it('resolves only within resolveWithin; a later return starts over without a resolved', () => {
    const d = new AbsenceDetector(pingPattern(TIMEOUT, 60 * S))
    const last = ping('car-1', 0)
    expect(feed(d, last, ping('car-2', 59, false))).toEqual([fired(last, T0 + 59 * S)])
    expect(d.openKeys).toBe(2)
    const back = ping('car-1', 65)
    expect(feed(d, ping('car-2', 60, false), back)).toEqual([])
    expect(d.advance(T0 + 95 * S)).toEqual([fired(back, T0 + 95 * S)])

    // A watermark that jumps straight to lastSeen + resolveWithin fires and forgets in one go.
    const e = new AbsenceDetector(pingPattern(TIMEOUT, 60 * S))
    feed(e, last)
    expect(e.advance(T0 + 60 * S)).toEqual([fired(last, T0 + 60 * S)])
    expect(e.openKeys).toBe(0)
    expect(feed(e, ping('car-1', 61))).toEqual([])
  })

  it('skips events without a key, ignores a watermark that does not grow and refuses NaN', () => {
    const d = new AbsenceDetector({ ...pattern, key: (e: Ping) => (e.k === '' ? undefined : e.k) })
    expect(feed(d, ping('', 0))).toEqual([])
    expect(d.openKeys).toBe(0)
    feed(d, ping('car-1', 0))
    expect(d.advance(T0)).toEqual([])
    expect(d.advance(T0 - 1)).toEqual([])
    expect(d.watermark).toBe(T0)
    expect(() => d.advance(Number.NaN)).toThrow(expect.objectContaining({ code: 'INTERNAL' }))
    expect(() => d.add({ k: 'car-1', ts: Number.NaN, on: true, n: 0 })).toThrow(
      expect.objectContaining({ code: 'EVENT_SCHEMA_INVALID' }),
    )
  })

  it('leaves the state untouched when the condition throws on an event', () => {
    const d = new AbsenceDetector({
      ...pattern,
      while: (e: Ping) => {
        if (e.n < 0) throw new Error('bad event')
        return e.on
      },
    })
    const last = ping('car-1', 0)
    feed(d, last)
    expect(() => d.add({ k: 'car-1', ts: T0 + 5 * S, on: true, n: -1 })).toThrow('bad event')
    expect(d.advance(T0 + 30 * S)).toEqual([fired(last, T0 + 30 * S)])
  })

  it('replays from horizonMs: resolveWithin, the window in which a fired key can still resolve', () => {
    expect(new AbsenceDetector(pattern).horizonMs).toBe(10 * 60 * S)
  })
})
