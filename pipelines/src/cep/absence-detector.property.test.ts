import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AbsenceDetector } from './absence-detector.js'
import type { AlertRecord } from './alert-record.js'
import { type Ping, pingPattern } from './testing.js'

type Step = { event: Ping } | { advance: number }

/**
 * The naive reference, computed from the whole stream with full memory (nothing is ever forgotten), for a
 * sequence of steps processed the engine's way: an event is applied, then the watermark moves to its time if
 * that is higher; an explicit advance (an idle partition, end of input) moves it to its value if higher.
 * So the watermark after step j is W[j] = the max of every event time and advance value up to step j, and
 * before step j it is W[j − 1] (−∞ at the start). Per key:
 * - the newer events are those whose time exceeds every earlier event of the key (by step order);
 * - a newer event e at step j arms iff it satisfies the condition and e.ts + T > W[j − 1];
 * - an armed e fires at the first step m in [j, j') with W[m] ≥ e.ts + T, where j' is the step of the key's
 *   next newer event (or the end);
 * - a fired e resolves at step j' iff W[j' − 1] < e.ts + R.
 * Each step outputs its resolved alert (from the event) first, then its fired alerts by event time, then key.
 */
function reference(steps: readonly Step[], timeoutMs: number, resolveWithinMs: number): AlertRecord[][] {
  const W: number[] = []
  let w = Number.NEGATIVE_INFINITY
  for (const s of steps) {
    w = Math.max(w, 'event' in s ? s.event.ts : s.advance)
    W.push(w)
  }
  const before = (j: number) => (j === 0 ? Number.NEGATIVE_INFINITY : W[j - 1]!)
  const resolvedAt: AlertRecord[][] = steps.map(() => [])
  const firedAt: AlertRecord[][] = steps.map(() => [])
  const keys = new Set(steps.flatMap((s) => ('event' in s ? [s.event.k] : [])))
  for (const k of keys) {
    const newer: { j: number; e: Ping }[] = []
    steps.forEach((s, j) => {
      if ('event' in s && s.event.k === k && s.event.ts > (newer.at(-1)?.e.ts ?? Number.NEGATIVE_INFINITY))
        newer.push({ j, e: s.event })
    })
    newer.forEach(({ j, e }, i) => {
      if (!e.on || e.ts + timeoutMs <= before(j)) return
      const next = newer[i + 1]
      const end = next?.j ?? steps.length
      const deadline = e.ts + timeoutMs
      let m = j
      while (m < end && W[m]! < deadline) m++
      if (m === end) return
      firedAt[m]!.push(alert(k, e, 'fired', deadline, Number.isFinite(W[m]!) ? W[m]! : deadline, e))
      if (next && before(next.j) < e.ts + resolveWithinMs) {
        const back = next.e
        resolvedAt[next.j]!.push(alert(k, e, 'resolved', back.ts, Math.max(before(next.j), back.ts), back))
      }
    })
  }
  return steps.map((_, j) => [
    ...resolvedAt[j]!,
    ...firedAt[j]!.sort((a, b) => a.eventTime - b.eventTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  ])
}

function alert(
  key: string,
  last: Ping,
  kind: 'fired' | 'resolved',
  eventTime: number,
  watermark: number,
  about: Ping,
): AlertRecord {
  const common = {
    id: `ping_gap:v2:${key}:${last.ts}:${kind}`,
    pattern: 'ping_gap',
    version: 2,
    entity: 'pinger',
    key,
    lastSeenAt: last.ts,
    eventTime,
  }
  const tail = { watermark, context: { n: about.n, on: about.on } }
  return kind === 'fired'
    ? { ...common, kind, ...tail }
    : { ...common, kind, gapMs: eventTime - last.ts, ...tail }
}

/** Runs steps through a detector the engine's way; returns each step's output. */
function run(d: AbsenceDetector<Ping>, steps: readonly Step[]): AlertRecord[][] {
  return steps.map((s) =>
    'event' in s
      ? [...d.add(s.event), ...d.advance(Math.max(d.watermark, s.event.ts))]
      : d.advance(s.advance),
  )
}

const END: Step = { advance: Number.POSITIVE_INFINITY }

/**
 * Events over a few keys whose times mostly move forward in small steps (so silences, fires and returns are
 * common) while some arrive late, up to ~2 timeouts behind (so ties, reordering and too-late events happen).
 */
function eventsArb(keys: readonly string[], maxLength: number) {
  const item = fc.record({
    k: fc.constantFrom(...keys),
    step: fc.integer({ min: 0, max: 12 }),
    behind: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(80) }),
    on: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
  })
  return fc.array(item, { maxLength, size: 'max' }).map((items) => {
    let clock = 0
    return items.map(({ k, step, behind, on }) => {
      clock += step
      return { k, ts: Math.max(0, clock - behind), on }
    })
  })
}

function numbered(steps: readonly (Step | { event: Omit<Ping, 'n'> })[]): Step[] {
  return steps.map((s, n) => ('event' in s ? { event: { ...s.event, n } } : s))
}

const durations = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100 }))
  .map(([timeoutMs, extra]) => ({ timeoutMs, resolveWithinMs: timeoutMs + extra }))

describe('AbsenceDetector against the whole-stream reference', () => {
  it('agrees on out-of-order streams with random watermark advances', () => {
    fc.assert(
      fc.property(
        durations,
        eventsArb(['a', 'b', 'c'], 80),
        fc.array(fc.tuple(fc.nat(80), fc.integer({ min: -20, max: 60 }))),
        ({ timeoutMs, resolveWithinMs }, events, advances) => {
          // Explicit advances (idle partitions) land between events, ahead of or behind the event times.
          const raw: (Step | { event: Omit<Ping, 'n'> })[] = events.map((event) => ({ event }))
          for (const [at, ahead] of advances) {
            const i = Math.min(at, raw.length)
            const near = events[Math.max(0, i - 1)]?.ts ?? 0
            raw.splice(i, 0, { advance: Math.max(0, near + ahead) })
          }
          const steps = [...numbered(raw), END]
          const d = new AbsenceDetector(pingPattern(timeoutMs, resolveWithinMs))
          expect(run(d, steps)).toEqual(reference(steps, timeoutMs, resolveWithinMs))
          expect(d.openKeys).toBe(0)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('agrees when the watermark is always the highest event time seen, as in the engine', () => {
    fc.assert(
      fc.property(
        durations,
        eventsArb(['a', 'b', 'c', 'd'], 120),
        ({ timeoutMs, resolveWithinMs }, events) => {
          const steps = [...numbered(events.map((event) => ({ event }))), END]
          const d = new AbsenceDetector(pingPattern(timeoutMs, resolveWithinMs))
          expect(run(d, steps)).toEqual(reference(steps, timeoutMs, resolveWithinMs))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('keeps only keys that can still change the output', () => {
    fc.assert(
      fc.property(
        durations,
        eventsArb(['a', 'b', 'c', 'd', 'e'], 100),
        ({ timeoutMs, resolveWithinMs }, events) => {
          const d = new AbsenceDetector(pingPattern(timeoutMs, resolveWithinMs))
          let wm = Number.NEGATIVE_INFINITY
          const latest = new Map<string, number>()
          for (const [n, e] of events.entries()) {
            run(d, [{ event: { ...e, n } }])
            wm = Math.max(wm, e.ts)
            latest.set(e.k, Math.max(latest.get(e.k) ?? Number.NEGATIVE_INFINITY, e.ts))
            // Whatever is remembered has its last event within resolveWithin of the watermark.
            const recent = [...latest.values()].filter((ts) => ts + resolveWithinMs > wm).length
            expect(d.openKeys).toBeLessThanOrEqual(recent)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('AbsenceDetector restarted from its replay horizon', () => {
  it('continues exactly like the uninterrupted detector', () => {
    fc.assert(
      fc.property(
        durations,
        eventsArb(['a', 'b', 'c'], 120).filter((events) => events.length > 0),
        fc.nat(),
        fc.nat(),
        ({ timeoutMs, resolveWithinMs }, events, cutSeed, fromSeed) => {
          const steps = numbered(events.map((event) => ({ event }))) as { event: Ping }[]
          const pattern = pingPattern(timeoutMs, resolveWithinMs)
          const cut = cutSeed % steps.length
          const live = new AbsenceDetector(pattern)
          run(live, steps.slice(0, cut + 1))
          const wm = live.watermark
          // The engine replays from a batch boundary: anything from the start up to the first record at or after
          // the horizon, as long as every record it skips lies before the horizon.
          const horizon = wm - live.horizonMs
          const firstNeeded = steps.findIndex((s) => s.event.ts >= horizon)
          const from = fromSeed % (firstNeeded + 1)
          const restarted = new AbsenceDetector(pattern)
          run(restarted, steps.slice(from, cut + 1))
          restarted.advance(wm)
          expect(restarted.openKeys).toBe(live.openKeys)
          const rest = [...steps.slice(cut + 1), END]
          expect(run(restarted, rest)).toEqual(run(live, rest))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
