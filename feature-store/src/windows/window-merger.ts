import { FreshetError } from '../errors.js'
import { AggregationPlan, type Row } from './aggregation-plan.js'
import { getOrCreate } from './get-or-create.js'
import { compareWindowResults, type WindowResult } from './window-result.js'
import type { AlignedWindowSpec } from './window-spec.js'
import type { WindowedAggregationOptions } from './windowed-aggregation.js'

/** Whether a partial was merged, or arrived after its window had closed here. */
export type MergeOutcome = 'merged' | 'late'

/**
 * The second phase of a two-phase windowed aggregation. When a view is keyed by something other than how its
 * input is partitioned (a zone over car-keyed telemetry), each input partition aggregates its own events per
 * key and window (`WindowedAggregation#advanceWatermark(wm, { withState: true })` — lateness judged by that
 * partition's watermark, exactly as for any view) and hands the closed window's aggregator states here, keyed
 * by the view's key. The merger combines the partials of every partition and closes a window once the
 * watermark (the minimum over the input partitions) passes its end + grace, when no partition can still add
 * to it. Merges are associative and commutative, so the result is independent of arrival order and equals a
 * single-phase aggregation over all events that were on time in their own partition.
 *
 * @example
 * const merger = new WindowMerger({ window: hopping('15m', '1m'), graceMs: 30_000, fields: { carId: [distinctCount()] } })
 * merger.add('z-downtown', 0, 900_000, partialFromPartition0)
 * merger.add('z-downtown', 0, 900_000, partialFromPartition1)
 * merger.advanceWatermark(930_000) // [{ key: 'z-downtown', start: 0, end: 900_000, aggregates: … }]
 */
export class WindowMerger {
  readonly window: AlignedWindowSpec
  readonly graceMs: number
  private readonly plan: AggregationPlan
  /** window end → key → merged row of that window (start = end − size). */
  private readonly pending = new Map<number, Map<string, Row>>()
  private currentWatermark = Number.NEGATIVE_INFINITY
  private keys = 0

  constructor(options: WindowedAggregationOptions) {
    const { window } = options
    if (window.kind !== 'tumbling' && window.kind !== 'hopping') {
      throw new FreshetError(
        'CONFIG_INVALID',
        `only tumbling and hopping windows can be merged from partials, not ${window.kind}`,
      )
    }
    this.window = window
    this.graceMs = options.graceMs ?? 0
    this.plan = new AggregationPlan(options.fields)
  }

  get watermark(): number {
    return this.currentWatermark
  }

  /** Pending (key, window) pairs: a gauge for memory. */
  get keyCount(): number {
    return this.keys
  }

  /** Merges one partition's states of window [start, end) of `key`; `state` is `WindowResult.state`. */
  add(key: string, start: number, end: number, state: unknown): MergeOutcome {
    if (end - start !== this.window.sizeMs) {
      throw new FreshetError(
        'INTERNAL',
        `partial for ${key} spans ${end - start} ms, the ${this.window.label} window ${this.window.sizeMs} ms`,
      )
    }
    if (end + this.graceMs <= this.currentWatermark) return 'late'
    const row = this.plan.rowFromJSON(state)
    const byKey = getOrCreate(this.pending, end, () => new Map<string, Row>())
    const merged = byKey.get(key)
    if (merged === undefined) this.keys++
    byKey.set(key, merged === undefined ? row : this.plan.merge(merged, row))
    return 'merged'
  }

  /** Closes every window with end + grace ≤ watermark; results in emission order (end, key, start). */
  advanceWatermark(watermark: number): WindowResult[] {
    if (watermark <= this.currentWatermark) return []
    this.currentWatermark = watermark
    const results: WindowResult[] = []
    for (const [end, byKey] of this.pending) {
      if (end + this.graceMs > watermark) continue
      const start = end - this.window.sizeMs
      for (const [key, row] of byKey) results.push({ key, start, end, aggregates: this.plan.results(row) })
      this.keys -= byKey.size
      this.pending.delete(end)
    }
    return results.sort(compareWindowResults)
  }
}
