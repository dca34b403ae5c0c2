import {
  type FeatureView,
  WindowedAggregation,
  type WindowedAggregationJSON,
  type WindowResult,
} from '@freshet/feature-store'
import { type FeatureRecord, featureRecordId } from './feature-record.js'

/** What happened to one event in one view. `late` lists the windows that had already closed for it. */
export type AddResult = { status: 'skipped' } | { status: 'accepted' | 'late'; lateWindows: string[] }

/**
 * One feature view's window state for one input partition: pure, no clock, no I/O. The live runtime, the
 * backfill replay and the offline test driver all drive this same class, which is why they agree.
 *
 * @example
 * const p = new ViewProcessor(carMotion)
 * p.add(event)
 * const closed = p.advance(watermark) // final FeatureRecords, in deterministic order
 */
export class ViewProcessor<E> {
  private readonly windows: WindowedAggregation[]

  constructor(
    readonly view: FeatureView<E>,
    state?: ViewProcessorJSON,
  ) {
    this.windows = view.windows.map((window, i) => {
      const saved = state?.windows[i]
      return saved
        ? WindowedAggregation.fromJSON({ window, graceMs: view.graceMs, fields: view.fields }, saved)
        : new WindowedAggregation({ window, graceMs: view.graceMs, fields: view.fields })
    })
  }

  add(event: E): AddResult {
    if (!this.view.filter(event)) return { status: 'skipped' }
    const key = this.view.key(event)
    if (key === undefined) return { status: 'skipped' }
    const ts = this.view.eventTime(event)
    const values = this.view.extract(event)
    const lateWindows: string[] = []
    for (const w of this.windows) {
      if (w.add(key, ts, values) === 'late') lateWindows.push(w.window.label)
    }
    return { status: lateWindows.length > 0 ? 'late' : 'accepted', lateWindows }
  }

  /** Closes every window whose end + grace ≤ watermark; returns their final records. */
  advance(watermark: number): FeatureRecord[] {
    return this.windows.flatMap((w) =>
      w
        .advanceWatermark(watermark)
        .map((r) => this.toRecord(w, r, true, Math.min(r.end, watermark), watermark)),
    )
  }

  /** Partial records of open windows touched since the last call (for `updating` emission). */
  partials(latestEventTime: number): FeatureRecord[] {
    return this.windows.flatMap((w) =>
      w.snapshot().map((r) => this.toRecord(w, r, false, Math.min(r.end - 1, latestEventTime), w.watermark)),
    )
  }

  /** Keys holding open windows, summed over windows (a gauge for memory). */
  get openKeys(): number {
    return this.windows.reduce((n, w) => n + w.keyCount, 0)
  }

  toJSON(): ViewProcessorJSON {
    return { view: this.view.ref, windows: this.windows.map((w) => w.toJSON()) }
  }

  private toRecord(
    w: WindowedAggregation,
    r: WindowResult,
    final: boolean,
    eventTime: number,
    watermark: number,
  ): FeatureRecord {
    const features: Record<string, number | null> = {}
    for (const out of this.view.outputs) {
      if (out.window !== w.window.label) continue
      features[out.name] = r.aggregates[out.field]?.[out.aggregator] ?? null
    }
    return {
      id: featureRecordId(this.view.ref, r.key, w.window.label, r.start, r.end),
      view: this.view.name,
      version: this.view.version,
      entity: r.key,
      window: w.window.label,
      windowStart: r.start,
      windowEnd: r.end,
      eventTime,
      watermark: Number.isFinite(watermark) ? watermark : eventTime,
      final,
      features,
    }
  }
}

export interface ViewProcessorJSON {
  view: string
  windows: WindowedAggregationJSON[]
}
