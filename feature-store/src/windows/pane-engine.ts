import { z } from 'zod'
import type { AggregationPlan, FieldValues, FieldVector, Row } from './aggregation-plan.js'
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
 *
 * State is held pane first (pane start → key → row): the few open panes are shared by every key, so a key
 * costs one map entry per pane it holds instead of maps and sets of its own, and consecutive events, which
 * almost always fall in the same pane, find it without a lookup. This is what a million live keys cost.
 */
export class PaneEngine implements WindowEngine {
  private readonly pane: number
  private readonly size: number
  /** pane start → key → row. */
  private readonly panes = new Map<number, Map<string, Row>>()
  /** Distinct keys holding a pane (counted as keys enter and leave panes, not with a map of their own). */
  private keys = 0
  /** The pane the previous event went to. */
  private lastStart = Number.NaN
  private lastRows: Map<string, Row> | undefined
  /** key → pane starts updated since the last snapshot; only kept for snapshots (updating emission). */
  private readonly touched: Map<string, Set<number>> | undefined

  constructor(
    spec: AlignedWindowSpec,
    private readonly graceMs: number,
    private readonly plan: AggregationPlan,
    trackTouched = true,
  ) {
    this.pane = paneMs(spec)
    this.size = spec.sizeMs
    this.touched = trackTouched ? new Map() : undefined
  }

  get keyCount(): number {
    return this.keys
  }

  add(key: string, ts: number, values: FieldValues | FieldVector, watermark: number): AddOutcome {
    // Most events fall in the pane of the one before: no division (a float modulo) for those.
    const last = this.lastStart
    const paneStart = ts >= last && ts < last + this.pane ? last : alignDown(ts, this.pane)
    if (watermark >= paneStart + this.size + this.graceMs) return 'late'
    this.plan.add(this.paneRow(key, paneStart), ts, values)
    if (this.touched !== undefined) getOrCreate(this.touched, key, newStartSet).add(paneStart)
    return 'accepted'
  }

  close(previous: number, watermark: number, withState = false): WindowResult[] {
    const due = new Set<number>()
    for (const paneStart of this.panes.keys()) {
      for (let start = paneStart - this.size + this.pane; start <= paneStart; start += this.pane) {
        const closesAt = start + this.size + this.graceMs
        if (closesAt > previous && closesAt <= watermark) due.add(start)
      }
    }
    const results: WindowResult[] = []
    for (const start of due) {
      for (const key of this.keysOf(start)) results.push(this.windowResult(key, start, withState))
    }
    this.dropPanesBefore(watermark)
    return results
  }

  drainTouched(watermark: number): WindowResult[] {
    const results: WindowResult[] = []
    for (const [key, paneStarts] of this.touched ?? []) {
      const starts = new Set<number>()
      for (const paneStart of paneStarts) {
        for (let start = paneStart - this.size + this.pane; start <= paneStart; start += this.pane) {
          if (start + this.size + this.graceMs > watermark) starts.add(start)
        }
      }
      for (const start of starts) results.push(this.windowResult(key, start))
    }
    this.touched?.clear()
    return results
  }

  toJSON(): unknown {
    const byKey = new Map<string, [number, unknown[]][]>()
    for (const [paneStart, rows] of this.panes) {
      for (const [key, row] of rows) {
        getOrCreate(byKey, key, () => []).push([paneStart, this.plan.rowToJSON(row)])
      }
    }
    return {
      keys: [...byKey],
      touched: [...(this.touched ?? [])].map(([key, starts]) => [key, [...starts]]),
    }
  }

  static fromJSON(
    spec: AlignedWindowSpec,
    graceMs: number,
    plan: AggregationPlan,
    json: unknown,
    trackTouched = true,
  ): PaneEngine {
    const parsed = parseEngineState(spec.kind, Json, json)
    const engine = new PaneEngine(spec, graceMs, plan, trackTouched)
    for (const [key, rows] of parsed.keys) {
      for (const [paneStart, row] of rows) engine.paneRow(key, paneStart, plan.rowFromJSON(row))
    }
    for (const [key, starts] of parsed.touched) engine.touched?.set(key, new Set(starts))
    return engine
  }

  /** The row of `key` in the pane starting at `paneStart`, created (or restored) when missing. */
  private paneRow(key: string, paneStart: number, restored?: Row): Row {
    let rows = this.lastRows
    if (paneStart !== this.lastStart || rows === undefined) {
      rows = getOrCreate(this.panes, paneStart, newRowMap)
      this.lastStart = paneStart
      this.lastRows = rows
    }
    let row = rows.get(key)
    if (row === undefined) {
      row = restored ?? this.plan.init()
      rows.set(key, row)
      if (!this.heldElsewhere(key, rows)) this.keys++
    }
    return row
  }

  /** Whether a pane other than `pane` holds `key`: a few lookups, once per key and pane. */
  private heldElsewhere(key: string, pane: Map<string, Row>): boolean {
    for (const rows of this.panes.values()) if (rows !== pane && rows.has(key)) return true
    return false
  }

  /** Keys with a pane in the window starting at `start`. */
  private keysOf(start: number): Iterable<string> {
    // A tumbling window is one pane: its keys need no union.
    if (this.pane === this.size) return this.panes.get(start)?.keys() ?? []
    const keys = new Set<string>()
    for (let paneStart = start; paneStart < start + this.size; paneStart += this.pane) {
      for (const key of this.panes.get(paneStart)?.keys() ?? []) keys.add(key)
    }
    return keys
  }

  private windowResult(key: string, start: number, withState = false): WindowResult {
    const parts: Row[] = []
    for (let paneStart = start; paneStart < start + this.size; paneStart += this.pane) {
      const row = this.panes.get(paneStart)?.get(key)
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
    for (const [paneStart, rows] of this.panes) {
      if (paneStart + this.size + this.graceMs > watermark) continue
      // Removed first, so a key counts as gone once the last pane holding it goes.
      this.panes.delete(paneStart)
      if (paneStart === this.lastStart) this.lastRows = undefined
      for (const key of rows.keys()) {
        if (!this.heldElsewhere(key, rows)) this.keys--
        const touched = this.touched?.get(key)
        touched?.delete(paneStart)
        if (touched?.size === 0) this.touched?.delete(key)
      }
    }
  }
}

const newRowMap = () => new Map<string, Row>()
const newStartSet = () => new Set<number>()
