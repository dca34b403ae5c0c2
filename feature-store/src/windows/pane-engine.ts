import { z } from 'zod'
import type { AggregationPlan, FieldValues, Row } from './aggregation-plan.js'
import { getOrCreate } from './get-or-create.js'
import type { WindowEngine } from './window-engine.js'
import { parseEngineState, TimedRowsJson } from './window-engine.js'
import type { AddOutcome, WindowResult } from './window-result.js'
import { type AlignedWindowSpec, alignDown, paneMs } from './window-spec.js'

const Json = z.object({
  keys: z.array(z.tuple([z.string(), TimedRowsJson])),
  touched: z.array(z.tuple([z.string(), z.array(z.number().int())])),
})

/**
 * Tumbling and hopping windows over panes (tiles) one slide long. Each event updates exactly one pane;
 * a window's result is the merge of its size/slide panes, computed once when it closes (or on a snapshot).
 * A tumbling window is a single pane, so it is emitted without any merge.
 *
 * Lateness: an event is late only when the last window holding its pane has closed
 * (watermark ≥ paneStart + size + grace); it then still counts in that pane's later, open windows,
 * never in already-emitted ones.
 */
export class PaneEngine implements WindowEngine {
  private readonly pane: number
  private readonly size: number
  /** key → pane start → row. */
  private readonly panes = new Map<string, Map<number, Row>>()
  /** pane start → keys that have that pane: closing windows looks at panes, not at every key. */
  private readonly keysByPane = new Map<number, Set<string>>()
  /** key → pane starts updated since the last snapshot. */
  private readonly touched = new Map<string, Set<number>>()

  constructor(
    spec: AlignedWindowSpec,
    private readonly graceMs: number,
    private readonly plan: AggregationPlan,
  ) {
    this.pane = paneMs(spec)
    this.size = spec.sizeMs
  }

  get keyCount(): number {
    return this.panes.size
  }

  add(key: string, ts: number, values: FieldValues, watermark: number): AddOutcome {
    const paneStart = alignDown(ts, this.pane)
    if (watermark >= paneStart + this.size + this.graceMs) return 'late'
    this.plan.add(this.paneRow(key, paneStart), ts, values)
    getOrCreate(this.touched, key, () => new Set<number>()).add(paneStart)
    return 'accepted'
  }

  close(previous: number, watermark: number, withState = false): WindowResult[] {
    const due = new Map<number, Set<string>>()
    for (const [paneStart, keys] of this.keysByPane) {
      for (const start of this.windowStartsOf(paneStart)) {
        const closesAt = start + this.size + this.graceMs
        if (closesAt <= previous || closesAt > watermark) continue
        const windowKeys = getOrCreate(due, start, () => new Set<string>())
        for (const key of keys) windowKeys.add(key)
      }
    }
    const results: WindowResult[] = []
    for (const [start, keys] of due) {
      for (const key of keys) results.push(this.windowResult(key, start, withState))
    }
    this.dropPanesBefore(watermark)
    return results
  }

  drainTouched(watermark: number): WindowResult[] {
    const results: WindowResult[] = []
    for (const [key, paneStarts] of this.touched) {
      const starts = new Set<number>()
      for (const paneStart of paneStarts) {
        for (const start of this.windowStartsOf(paneStart)) {
          if (start + this.size + this.graceMs > watermark) starts.add(start)
        }
      }
      for (const start of starts) results.push(this.windowResult(key, start))
    }
    this.touched.clear()
    return results
  }

  toJSON(): unknown {
    return {
      keys: [...this.panes].map(([key, rows]) => [
        key,
        [...rows].map(([paneStart, row]) => [paneStart, this.plan.rowToJSON(row)]),
      ]),
      touched: [...this.touched].map(([key, starts]) => [key, [...starts]]),
    }
  }

  static fromJSON(
    spec: AlignedWindowSpec,
    graceMs: number,
    plan: AggregationPlan,
    json: unknown,
  ): PaneEngine {
    const parsed = parseEngineState(spec.kind, Json, json)
    const engine = new PaneEngine(spec, graceMs, plan)
    for (const [key, rows] of parsed.keys) {
      for (const [paneStart, row] of rows) engine.paneRow(key, paneStart, plan.rowFromJSON(row))
    }
    for (const [key, starts] of parsed.touched) engine.touched.set(key, new Set(starts))
    return engine
  }

  private paneRow(key: string, paneStart: number, restored?: Row): Row {
    const rows = getOrCreate(this.panes, key, () => new Map<number, Row>())
    return getOrCreate(rows, paneStart, () => {
      getOrCreate(this.keysByPane, paneStart, () => new Set<string>()).add(key)
      return restored ?? this.plan.init()
    })
  }

  /** Starts of the windows containing a pane: size/slide of them, oldest first. */
  private *windowStartsOf(paneStart: number): Generator<number> {
    for (let start = paneStart - this.size + this.pane; start <= paneStart; start += this.pane) yield start
  }

  private windowResult(key: string, start: number, withState = false): WindowResult {
    const rows = this.panes.get(key)
    const parts: Row[] = []
    for (let paneStart = start; paneStart < start + this.size; paneStart += this.pane) {
      const row = rows?.get(paneStart)
      if (row !== undefined) parts.push(row)
    }
    // Results never mutate, so a single pane (every tumbling window) needs no merged copy.
    const row = parts.length === 1 ? parts[0]! : this.plan.mergeAll(parts)
    const result: WindowResult = { key, start, end: start + this.size, aggregates: this.plan.results(row) }
    if (withState) result.state = this.plan.rowToJSON(row)
    return result
  }

  /** Forgets panes whose last window has closed: no accepted event can reach them any more. */
  private dropPanesBefore(watermark: number): void {
    for (const [paneStart, keys] of this.keysByPane) {
      if (paneStart + this.size + this.graceMs > watermark) continue
      for (const key of keys) {
        const rows = this.panes.get(key)
        rows?.delete(paneStart)
        if (rows?.size === 0) this.panes.delete(key)
        const touched = this.touched.get(key)
        touched?.delete(paneStart)
        if (touched?.size === 0) this.touched.delete(key)
      }
      this.keysByPane.delete(paneStart)
    }
  }
}
