import { z } from 'zod'
import type { AggregationPlan, FieldValues, FieldVector, Row } from './aggregation-plan.js'
import { getOrCreate } from './get-or-create.js'
import { TimerHeap } from './min-heap.js'
import type { WindowEngine } from './window-engine.js'
import { parseEngineState } from './window-engine.js'
import type { AddOutcome, WindowResult } from './window-result.js'
import type { SessionWindow } from './window-spec.js'

interface Session {
  first: number
  last: number
  row: Row
}

const Json = z.object({
  keys: z.array(z.tuple([z.string(), z.array(z.tuple([z.number().int(), z.number().int(), z.unknown()]))])),
  /** Per key, the `first` of each session touched since the last snapshot. */
  touched: z.array(z.tuple([z.string(), z.array(z.number().int())])),
})

/**
 * Session windows: per key, events less than `gap` apart form one session [first, last + gap); an
 * event within `gap` of two sessions merges them (rows merge, which is what `merge` is for).
 * A session closes when watermark ≥ last + gap + grace.
 *
 * Lateness: a session's extent is only known once its events are in, so lateness is judged on the
 * event itself: late when ts < watermark − grace. Such an event could otherwise extend or bridge into
 * a session that was already emitted; with this rule it never can, so emitted sessions equal a batch
 * sessionisation of the accepted events.
 */
export class SessionEngine implements WindowEngine {
  private readonly gap: number
  /** key → open sessions, ordered by time (they never overlap: consecutive ones are ≥ gap apart). */
  private readonly sessions = new Map<string, Session[]>()
  /**
   * Per key one live timer, at its earliest session's close as known when armed (extending a session
   * only delays it, so a timer that fires early is simply re-armed). `armed` tells live timers from stale.
   */
  private readonly timers = new TimerHeap()
  private readonly armed = new Map<string, number>()
  private readonly touched = new Map<string, Set<Session>>()

  constructor(
    spec: SessionWindow,
    private readonly graceMs: number,
    private readonly plan: AggregationPlan,
  ) {
    this.gap = spec.gapMs
  }

  get keyCount(): number {
    return this.sessions.size
  }

  add(key: string, ts: number, values: FieldValues | FieldVector, watermark: number): AddOutcome {
    if (ts < watermark - this.graceMs) return 'late'
    const list = getOrCreate(this.sessions, key, (): Session[] => [])
    // Sessions this event is within `gap` of: at most two, adjacent in the list.
    const hits: number[] = []
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!
      if (s.first - this.gap < ts && ts < s.last + this.gap) hits.push(i)
    }
    let target: Session
    const touched = this.touchedOf(key)
    if (hits.length === 0) {
      target = { first: ts, last: ts, row: this.plan.init() }
      const at = list.findIndex((s) => s.first > ts)
      list.splice(at === -1 ? list.length : at, 0, target)
      const armedAt = this.armed.get(key)
      if (armedAt === undefined || this.closesAt(target) < armedAt) this.arm(key, this.closesAt(target))
    } else {
      const merging = hits.map((i) => list[i]!)
      target = merging[0]!
      for (const other of merging.slice(1)) {
        target = { first: target.first, last: other.last, row: this.plan.merge(target.row, other.row) }
      }
      for (const s of merging) touched.delete(s)
      list.splice(hits[0]!, hits.length, target)
      target.first = Math.min(target.first, ts)
      target.last = Math.max(target.last, ts)
    }
    this.plan.add(target.row, ts, values)
    touched.add(target)
    return 'accepted'
  }

  close(_previous: number, watermark: number): WindowResult[] {
    const results: WindowResult[] = []
    for (let t = this.timers.popDue(watermark); t !== undefined; t = this.timers.popDue(watermark)) {
      const list = this.sessions.get(t.key)
      if (list === undefined || this.armed.get(t.key) !== t.at) continue
      const touched = this.touched.get(t.key)
      // Closing order follows `last`, and the list is in time order: closed sessions form a prefix.
      let closed = 0
      while (closed < list.length && this.closesAt(list[closed]!) <= watermark) {
        const s = list[closed]!
        results.push(this.result(t.key, s))
        touched?.delete(s)
        closed++
      }
      list.splice(0, closed)
      if (touched?.size === 0) this.touched.delete(t.key)
      if (list.length > 0) {
        this.arm(t.key, this.closesAt(list[0]!))
      } else {
        this.sessions.delete(t.key)
        this.armed.delete(t.key)
      }
    }
    return results
  }

  drainTouched(watermark: number): WindowResult[] {
    const results: WindowResult[] = []
    for (const [key, sessions] of this.touched) {
      for (const s of sessions) if (this.closesAt(s) > watermark) results.push(this.result(key, s))
    }
    this.touched.clear()
    return results
  }

  toJSON(): unknown {
    return {
      keys: [...this.sessions].map(([key, list]) => [
        key,
        list.map((s) => [s.first, s.last, this.plan.rowToJSON(s.row)]),
      ]),
      touched: [...this.touched].map(([key, sessions]) => [key, [...sessions].map((s) => s.first)]),
    }
  }

  static fromJSON(spec: SessionWindow, graceMs: number, plan: AggregationPlan, json: unknown): SessionEngine {
    const parsed = parseEngineState('session', Json, json)
    const engine = new SessionEngine(spec, graceMs, plan)
    for (const [key, list] of parsed.keys) {
      const sessions = list.map(([first, last, row]) => ({ first, last, row: plan.rowFromJSON(row) }))
      if (sessions[0] === undefined) continue
      engine.sessions.set(key, sessions)
      engine.arm(key, engine.closesAt(sessions[0]))
    }
    for (const [key, firsts] of parsed.touched) {
      const touched = engine.touchedOf(key)
      for (const s of engine.sessions.get(key) ?? []) if (firsts.includes(s.first)) touched.add(s)
    }
    return engine
  }

  private arm(key: string, at: number): void {
    this.armed.set(key, at)
    this.timers.push({ at, key })
  }

  private closesAt(s: Session): number {
    return s.last + this.gap + this.graceMs
  }

  private result(key: string, s: Session): WindowResult {
    return { key, start: s.first, end: s.last + this.gap, aggregates: this.plan.results(s.row) }
  }

  private touchedOf(key: string): Set<Session> {
    return getOrCreate(this.touched, key, () => new Set<Session>())
  }
}
