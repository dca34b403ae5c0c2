import {
  type AnyFeatureView,
  type FeatureView,
  WindowedAggregation,
  type WindowedAggregationJSON,
  type WindowResult,
  type WindowSpec,
} from '@freshet/feature-store'
import { type FeatureRecord, featureRecordId } from './feature-record.js'
import type { WindowPartial } from './window-partial.js'

/** What happened to one event in one view. `late` lists the windows that had already closed for it. */
export type AddResult = { status: 'skipped' } | { status: 'accepted' | 'late'; lateWindows: string[] }

// Shared answers for the common cases: `add` runs for every event in every view and allocates only for late ones.
const SKIPPED: AddResult = Object.freeze({ status: 'skipped' })
const ACCEPTED: AddResult = Object.freeze({
  status: 'accepted',
  lateWindows: Object.freeze([]) as unknown as string[],
})
const WITH_STATE = Object.freeze({ withState: true })

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
    // Only `updating` views read snapshots; the others need not remember which windows each event touched.
    const options = (window: WindowSpec) => ({
      window,
      graceMs: view.graceMs,
      fields: view.fields,
      snapshots: view.emit === 'updating',
    })
    this.windows = view.windows.map((window, i) => {
      const saved = state?.windows[i]
      return saved
        ? WindowedAggregation.fromJSON(options(window), saved)
        : new WindowedAggregation(options(window))
    })
  }

  add(event: E): AddResult {
    if (!this.view.filter(event)) return SKIPPED
    const key = this.view.key(event)
    if (key === undefined) return SKIPPED
    const ts = this.view.eventTime(event)
    const values = this.view.extract(event)
    let lateWindows: string[] | undefined
    // Indexed loops here and below: these run for every event, and array iterators are not always optimised
    // away (they were ~15% of the engine's garbage).
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!
      if (w.add(key, ts, values) !== 'late') continue
      lateWindows ??= []
      lateWindows.push(w.window.label)
    }
    return lateWindows === undefined ? ACCEPTED : { status: 'late', lateWindows }
  }

  /**
   * Closes every window whose end + grace ≤ watermark; returns their final records (appended to `into`, when
   * given: this runs whenever the watermark moves, i.e. for most events, and mostly closes nothing).
   */
  advance(watermark: number, into: FeatureRecord[] = []): FeatureRecord[] {
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!
      const closed = w.advanceWatermark(watermark)
      for (let j = 0; j < closed.length; j++) {
        const r = closed[j]!
        into.push(toFeatureRecord(this.view, w.window.label, r, true, Math.min(r.end, watermark), watermark))
      }
    }
    return into
  }

  /**
   * For a repartitioned view: closes windows like `advance`, but returns this partition's partial states of
   * them, to be merged by key with the other partitions' (`ViewMerger`).
   */
  advancePartials(watermark: number, into: WindowPartial[] = []): WindowPartial[] {
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!
      const closed = w.advanceWatermark(watermark, WITH_STATE)
      for (let j = 0; j < closed.length; j++) {
        const r = closed[j]!
        into.push({
          view: this.view.ref,
          window: w.window.label,
          key: r.key,
          start: r.start,
          end: r.end,
          state: r.state ?? [],
        })
      }
    }
    return into
  }

  /** Partial records of open windows touched since the last call (for `updating` emission). */
  partials(latestEventTime: number): FeatureRecord[] {
    return this.windows.flatMap((w) =>
      w
        .snapshot()
        .map((r) =>
          toFeatureRecord(
            this.view,
            w.window.label,
            r,
            false,
            Math.min(r.end - 1, latestEventTime),
            w.watermark,
          ),
        ),
    )
  }

  /** Keys holding open windows, summed over windows (a gauge for memory). */
  get openKeys(): number {
    return this.windows.reduce((n, w) => n + w.keyCount, 0)
  }

  toJSON(): ViewProcessorJSON {
    return { view: this.view.ref, windows: this.windows.map((w) => w.toJSON()) }
  }
}

/** The feature record of one window result of a view (final when the window closed, else a partial). */
export function toFeatureRecord(
  view: Pick<AnyFeatureView, 'ref' | 'name' | 'version' | 'outputs'>,
  windowLabel: string,
  r: WindowResult,
  final: boolean,
  eventTime: number,
  watermark: number,
): FeatureRecord {
  const features: Record<string, number | null> = {}
  for (const out of view.outputs) {
    if (out.window !== windowLabel) continue
    features[out.name] = r.aggregates[out.field]?.[out.aggregator] ?? null
  }
  return {
    id: featureRecordId(view.ref, r.key, windowLabel, r.start, r.end),
    view: view.name,
    version: view.version,
    entity: r.key,
    window: windowLabel,
    windowStart: r.start,
    windowEnd: r.end,
    eventTime,
    watermark: Number.isFinite(watermark) ? watermark : eventTime,
    final,
    features,
  }
}

export interface ViewProcessorJSON {
  view: string
  windows: WindowedAggregationJSON[]
}
