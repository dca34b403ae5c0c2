import { z } from 'zod'
import { FreshetError } from '../errors.js'
import {
  AggregationPlan,
  type FieldAggregators,
  type FieldValues,
  type FieldVector,
} from './aggregation-plan.js'
import { PaneEngine } from './pane-engine.js'
import { SessionEngine } from './session-engine.js'
import { SlidingEngine } from './sliding-engine.js'
import type { WindowEngine } from './window-engine.js'
import { type AddOutcome, compareWindowResults, type WindowResult } from './window-result.js'
import { assertEventTime, type WindowSpec } from './window-spec.js'

export interface WindowedAggregationOptions {
  window: WindowSpec
  /** How long after a window's end its late events still count (ms, ≥ 0). Default 0. */
  graceMs?: number
  /** Aggregators per input field, e.g. `{ speedKmh: [mean, max], odometerKm: [delta] }`. */
  fields: FieldAggregators
  /**
   * Whether `snapshot()` will be called (`updating` emission). Default true. False saves remembering which
   * windows each event touched, a set per key that only snapshots read; `snapshot()` then throws.
   */
  snapshots?: boolean
}

const CHECKPOINT_VERSION = 1

/** What most watermark moves close: one shared, frozen empty list rather than a new one per event. */
const NO_RESULTS: readonly WindowResult[] = Object.freeze([])

// JSON has no infinities; the watermark starts at −∞ and ends at +∞ after a final flush.
const WatermarkJson = z.union([z.number(), z.literal('-inf'), z.literal('inf')])

const Checkpoint = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  window: z.string(),
  graceMs: z.number(),
  layout: z.string(),
  watermark: WatermarkJson,
  engine: z.unknown(),
})

/** The checkpoint format of `WindowedAggregation#toJSON` (plain JSON data). */
export type WindowedAggregationJSON = z.infer<typeof Checkpoint>

/**
 * Pure per-key event-time window state machine, driven identically by the live runtime, replay/backfill
 * and the offline test driver: no clock, no I/O, deterministic output for a given sequence of calls.
 *
 * - `add(key, ts, values)` counts an event in every still-open window it belongs to, or reports it
 *   `'late'` (and counts it nowhere) when they have all closed.
 * - `advanceWatermark(wm)` closes windows with end + grace ≤ wm and returns their final results ordered
 *   by window end, then key, then window start.
 * - `snapshot()` returns partial results of open windows touched since the previous snapshot
 *   (for `updating` emission), in the same order.
 * - `toJSON()` / `WindowedAggregation.fromJSON()` checkpoint and restore the whole state exactly.
 *
 * Window semantics per kind are documented on `tumbling`, `hopping`, `sliding` and `session`.
 *
 * @example
 * const agg = new WindowedAggregation({ window: tumbling('1m'), graceMs: 5_000, fields: { speedKmh: [mean, max] } })
 * agg.add('car-1', 10_000, { speedKmh: 40 }) // 'accepted'
 * agg.add('car-1', 50_000, { speedKmh: 60 }) // 'accepted'
 * agg.advanceWatermark(65_000)
 * // [{ key: 'car-1', start: 0, end: 60_000, aggregates: { speedKmh: { mean: 50, max: 60 } } }]
 * agg.add('car-1', 59_000, { speedKmh: 99 }) // 'late': [0, 60s) closed at 60s + 5s grace
 */
export class WindowedAggregation {
  readonly window: WindowSpec
  readonly graceMs: number
  private readonly plan: AggregationPlan
  private engine: WindowEngine
  private readonly snapshots: boolean
  private currentWatermark = Number.NEGATIVE_INFINITY
  /** Aligned windows close only at `k·step + size + grace`: below this watermark nothing can close. */
  private nextCloseAt = Number.NEGATIVE_INFINITY

  constructor(options: WindowedAggregationOptions) {
    this.window = options.window
    this.graceMs = options.graceMs ?? 0
    if (!Number.isSafeInteger(this.graceMs) || this.graceMs < 0) {
      throw new FreshetError('CONFIG_INVALID', `graceMs must be a non-negative integer, got ${this.graceMs}`)
    }
    this.plan = new AggregationPlan(options.fields)
    this.snapshots = options.snapshots ?? true
    this.engine = createEngine(this.window, this.graceMs, this.plan, this.snapshots, undefined)
  }

  /** Current watermark: −∞ until the first advance. */
  get watermark(): number {
    return this.currentWatermark
  }

  /** Keys that currently hold open windows or pending panes. */
  get keyCount(): number {
    return this.engine.keyCount
  }

  /**
   * Counts one event. Values that are null/undefined/non-finite, or strings for numeric aggregators,
   * are skipped per field. Throws EVENT_SCHEMA_INVALID unless `ts` is an integer epoch-ms time.
   */
  add(key: string, ts: number, values: FieldValues | FieldVector): AddOutcome {
    assertEventTime(ts)
    return this.engine.add(key, ts, values, this.currentWatermark)
  }

  /**
   * Moves event time forward and returns the windows this closes, in emission order. A watermark at or
   * below the current one is ignored (returns []); `Infinity` flushes every window (end of a backfill).
   * `withState` adds each window's aggregator states (`WindowResult.state`) for a second, merging phase
   * (`WindowMerger`); tumbling and hopping windows only. The list is read-only (one shared list when empty).
   */
  advanceWatermark(watermark: number, options: { withState?: boolean } = {}): readonly WindowResult[] {
    if (Number.isNaN(watermark)) throw new FreshetError('INTERNAL', 'watermark must be a number, got NaN')
    const withState = options.withState ?? false
    if (withState && this.window.kind !== 'tumbling' && this.window.kind !== 'hopping') {
      throw new FreshetError(
        'CONFIG_INVALID',
        `only tumbling and hopping windows can be aggregated in two phases, not ${this.window.kind}`,
      )
    }
    if (watermark <= this.currentWatermark) return NO_RESULTS
    const previous = this.currentWatermark
    this.currentWatermark = watermark
    // Every event moves the watermark; scanning panes each time was a quarter of the engine's CPU.
    if (watermark < this.nextCloseAt) return NO_RESULTS
    this.nextCloseAt = nextAlignedClose(this.window, this.graceMs, watermark)
    return this.engine.close(previous, watermark, withState).sort(compareWindowResults)
  }

  /** Partial results of the open windows touched since the last snapshot, in emission order. */
  snapshot(): WindowResult[] {
    if (!this.snapshots) {
      throw new FreshetError('INTERNAL', 'snapshot() of a windowed aggregation created with snapshots: false')
    }
    return this.engine.drainTouched(this.currentWatermark).sort(compareWindowResults)
  }

  /** Whole state as plain JSON, for a changelog/snapshot; restore with `WindowedAggregation.fromJSON`. */
  toJSON(): WindowedAggregationJSON {
    const wm = this.currentWatermark
    return {
      version: CHECKPOINT_VERSION,
      window: describeWindow(this.window),
      graceMs: this.graceMs,
      layout: this.plan.fingerprint,
      watermark: wm === Number.NEGATIVE_INFINITY ? '-inf' : wm === Number.POSITIVE_INFINITY ? 'inf' : wm,
      engine: this.engine.toJSON(),
    }
  }

  /**
   * Restores a checkpoint taken with the same definition (window, grace, fields × aggregators); any
   * mismatch throws CONFIG_INVALID rather than mixing states of different definitions.
   */
  static fromJSON(options: WindowedAggregationOptions, json: unknown): WindowedAggregation {
    const parsed = Checkpoint.safeParse(json)
    if (!parsed.success) {
      throw new FreshetError('INTERNAL', 'windowed aggregation checkpoint is malformed', {
        cause: parsed.error,
      })
    }
    const cp = parsed.data
    const expected = {
      window: describeWindow(options.window),
      graceMs: options.graceMs ?? 0,
      layout: new AggregationPlan(options.fields).fingerprint,
    }
    for (const field of ['window', 'graceMs', 'layout'] as const) {
      if (cp[field] !== expected[field]) {
        throw new FreshetError(
          'CONFIG_INVALID',
          `checkpoint was taken with ${field} ${JSON.stringify(cp[field])}, definition has ${JSON.stringify(expected[field])}`,
        )
      }
    }
    const restored = new WindowedAggregation(options)
    restored.engine = createEngine(
      restored.window,
      restored.graceMs,
      restored.plan,
      restored.snapshots,
      cp.engine,
    )
    restored.currentWatermark =
      cp.watermark === '-inf'
        ? Number.NEGATIVE_INFINITY
        : cp.watermark === 'inf'
          ? Number.POSITIVE_INFINITY
          : cp.watermark
    return restored
  }
}

/**
 * The first close time after `watermark` of an aligned window (starts at multiples of the step, closes at
 * start + size + grace); −∞ (always scan) for sliding and session windows, which close at any millisecond.
 * Skipping the scan below it is exact: no window closes in between, so the next scan from the old `previous`
 * finds the same windows.
 */
function nextAlignedClose(w: WindowSpec, graceMs: number, watermark: number): number {
  if (w.kind !== 'tumbling' && w.kind !== 'hopping') return Number.NEGATIVE_INFINITY
  if (!Number.isFinite(watermark)) return Number.NEGATIVE_INFINITY
  const step = w.kind === 'hopping' ? w.slideMs : w.sizeMs
  return (Math.floor((watermark - w.sizeMs - graceMs) / step) + 1) * step + w.sizeMs + graceMs
}

function describeWindow(w: WindowSpec): string {
  switch (w.kind) {
    case 'tumbling':
    case 'sliding':
      return `${w.kind}:${w.sizeMs}`
    case 'hopping':
      return `hopping:${w.sizeMs}/${w.slideMs}`
    case 'session':
      return `session:${w.gapMs}`
  }
}

/** `snapshots: false` lets the pane engine skip its touched-window bookkeeping (the others keep theirs). */
function createEngine(
  window: WindowSpec,
  graceMs: number,
  plan: AggregationPlan,
  snapshots: boolean,
  restored: unknown,
): WindowEngine {
  switch (window.kind) {
    case 'tumbling':
    case 'hopping':
      return restored === undefined
        ? new PaneEngine(window, graceMs, plan, snapshots)
        : PaneEngine.fromJSON(window, graceMs, plan, restored, snapshots)
    case 'sliding':
      return restored === undefined
        ? new SlidingEngine(window, graceMs, plan)
        : SlidingEngine.fromJSON(window, graceMs, plan, restored)
    case 'session':
      return restored === undefined
        ? new SessionEngine(window, graceMs, plan)
        : SessionEngine.fromJSON(window, graceMs, plan, restored)
  }
}
