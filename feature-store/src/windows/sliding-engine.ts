import { z } from 'zod'
import type { AggregationPlan, FieldValues, FieldVector, Row } from './aggregation-plan.js'
import { getOrCreate } from './get-or-create.js'
import { TimerHeap } from './min-heap.js'
import { SlidingQueue } from './sliding-queue.js'
import type { WindowEngine } from './window-engine.js'
import { parseEngineState, TimedRowsJson } from './window-engine.js'
import type { AddOutcome, WindowResult } from './window-result.js'
import type { SlidingWindow } from './window-spec.js'

const Json = z.object({
  keys: z.array(z.tuple([z.string(), z.object({ sealed: TimedRowsJson, open: TimedRowsJson })])),
  touched: z.array(z.tuple([z.string(), z.array(z.number().int())])),
})

interface KeyState {
  /** Buckets below watermark − grace: no event can reach them any more, oldest first. */
  sealed: SlidingQueue
  /** Event time → row of the events at exactly that time, still receiving events. */
  open: Map<number, Row>
}

/**
 * Sliding windows: one per distinct event time t of a key, over [t − size, t], reported as
 * { start: t − size, end: t + 1 }. Events at the same time share a bucket.
 *
 * Lateness: an event is late when ts < watermark − grace, exactly when its own window has closed
 * (t + 1 + grace ≤ watermark). That also guarantees it can belong to no window already emitted, so
 * emitted windows equal a batch computation over the accepted events.
 *
 * A window closes when its bucket seals; sealed buckets enter a two-stacks queue, so emitting the
 * windows of a key in time order costs O(1) merges per bucket. Snapshots of open windows merge naively.
 */
export class SlidingEngine implements WindowEngine {
  private readonly size: number
  private readonly keys = new Map<string, KeyState>()
  /** One timer per open bucket, due when it seals. */
  private readonly sealTimers = new TimerHeap()
  /** One timer per sealed bucket, due when no future window can include it. */
  private readonly expiryTimers = new TimerHeap()
  private readonly touched = new Map<string, Set<number>>()

  constructor(
    spec: SlidingWindow,
    private readonly graceMs: number,
    private readonly plan: AggregationPlan,
  ) {
    this.size = spec.sizeMs
  }

  get keyCount(): number {
    return this.keys.size
  }

  add(key: string, ts: number, values: FieldValues | FieldVector, watermark: number): AddOutcome {
    if (ts < watermark - this.graceMs) return 'late'
    const state = this.keyState(key)
    const row = getOrCreate(state.open, ts, () => {
      this.sealTimers.push({ at: ts, key })
      return this.plan.init()
    })
    this.plan.add(row, ts, values)
    getOrCreate(this.touched, key, () => new Set<number>()).add(ts)
    return 'accepted'
  }

  close(_previous: number, watermark: number): WindowResult[] {
    // Buckets with ts < sealBelow are final; windows ending at or after it still need buckets ≥ sealBelow − size.
    const sealBelow = watermark - this.graceMs
    const sealing = new Map<string, number[]>()
    for (
      let t = this.sealTimers.popDue(sealBelow - 1);
      t !== undefined;
      t = this.sealTimers.popDue(sealBelow - 1)
    ) {
      const list = sealing.get(t.key)
      if (list === undefined) sealing.set(t.key, [t.at])
      else list.push(t.at)
    }
    const results: WindowResult[] = []
    for (const [key, times] of sealing) {
      const state = this.keys.get(key)!
      for (const ts of times.sort((a, b) => a - b)) {
        state.sealed.push(ts, state.open.get(ts)!)
        state.open.delete(ts)
        this.expiryTimers.push({ at: ts + this.size, key })
        state.sealed.evictBefore(ts - this.size)
        const row = state.sealed.aggregate()!
        results.push({ key, start: ts - this.size, end: ts + 1, aggregates: this.plan.results(row) })
      }
    }
    // Expiry timers sit at ts + size, due once ts < sealBelow − size.
    const expireBelow = sealBelow - this.size
    for (
      let t = this.expiryTimers.popDue(sealBelow - 1);
      t !== undefined;
      t = this.expiryTimers.popDue(sealBelow - 1)
    ) {
      // A touched bucket matters to snapshots until no open window can contain it.
      const touched = this.touched.get(t.key)
      touched?.delete(t.at - this.size)
      if (touched?.size === 0) this.touched.delete(t.key)
      const state = this.keys.get(t.key)
      if (state === undefined) continue
      state.sealed.evictBefore(expireBelow)
      if (state.sealed.length === 0 && state.open.size === 0) this.keys.delete(t.key)
    }
    return results
  }

  drainTouched(watermark: number): WindowResult[] {
    const results: WindowResult[] = []
    for (const [key, times] of this.touched) {
      const state = this.keys.get(key)
      if (state === undefined) continue
      // An event at t changes the open windows ending at buckets in [t, t + size].
      const ends = [...state.open.keys()].filter((end) =>
        [...times].some((t) => end >= t && end <= t + this.size),
      )
      const sealed = state.sealed.items()
      for (const end of ends) {
        if (end < watermark - this.graceMs) continue
        const parts = sealed.filter((b) => b.ts >= end - this.size).map((b) => b.row)
        for (const [ts, row] of state.open) if (ts >= end - this.size && ts <= end) parts.push(row)
        results.push({
          key,
          start: end - this.size,
          end: end + 1,
          aggregates: this.plan.results(this.plan.mergeAll(parts)),
        })
      }
    }
    this.touched.clear()
    return results
  }

  toJSON(): unknown {
    const rows = (entries: Iterable<readonly [number, Row]>) =>
      [...entries].map(([ts, row]) => [ts, this.plan.rowToJSON(row)])
    return {
      keys: [...this.keys].map(([key, state]) => [
        key,
        {
          sealed: rows(state.sealed.items().map((b) => [b.ts, b.row] as const)),
          open: rows(state.open),
        },
      ]),
      touched: [...this.touched].map(([key, times]) => [key, [...times]]),
    }
  }

  static fromJSON(spec: SlidingWindow, graceMs: number, plan: AggregationPlan, json: unknown): SlidingEngine {
    const parsed = parseEngineState('sliding', Json, json)
    const engine = new SlidingEngine(spec, graceMs, plan)
    for (const [key, { sealed, open }] of parsed.keys) {
      const state = engine.keyState(key)
      for (const [ts, row] of sealed) {
        state.sealed.push(ts, plan.rowFromJSON(row))
        engine.expiryTimers.push({ at: ts + engine.size, key })
      }
      for (const [ts, row] of open) {
        state.open.set(ts, plan.rowFromJSON(row))
        engine.sealTimers.push({ at: ts, key })
      }
    }
    for (const [key, times] of parsed.touched) engine.touched.set(key, new Set(times))
    return engine
  }

  private keyState(key: string): KeyState {
    return getOrCreate(this.keys, key, () => ({ sealed: new SlidingQueue(this.plan), open: new Map() }))
  }
}
