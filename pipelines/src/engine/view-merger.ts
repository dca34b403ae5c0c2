import { type AnyFeatureView, FreshetError, type MergeOutcome, WindowMerger } from '@freshet/feature-store'
import type { FeatureRecord } from './feature-record.js'
import { toFeatureRecord } from './view-processor.js'
import type { WindowPartial } from './window-partial.js'

/**
 * Second phase of a repartitioned view: merges the partial windows of every input partition by key and emits
 * the final record of a window once the watermark (the slowest input partition's) passes its end + grace.
 * Pure; the live merge task, replay and the offline test driver all use it.
 *
 * @example
 * const merger = new ViewMerger(zoneTraffic)
 * for (const partial of partialsFromEveryPartition) merger.add(partial)
 * const finals = merger.advance(slowestPartitionWatermark)
 */
export class ViewMerger {
  private readonly windows = new Map<string, WindowMerger>()

  constructor(readonly view: AnyFeatureView) {
    if (!view.repartition) {
      throw new FreshetError('CONFIG_INVALID', `view ${view.ref} is not repartitioned: nothing to merge`)
    }
    for (const window of view.windows) {
      this.windows.set(window.label, new WindowMerger({ window, graceMs: view.graceMs, fields: view.fields }))
    }
  }

  add(partial: WindowPartial): MergeOutcome {
    const merger = this.windows.get(partial.window)
    if (partial.view !== this.view.ref || merger === undefined) {
      throw new FreshetError(
        'EVENT_SCHEMA_INVALID',
        `partial of ${partial.view} window ${partial.window} does not belong to ${this.view.ref}`,
      )
    }
    return merger.add(partial.key, partial.start, partial.end, partial.state)
  }

  /** Final records of the windows the watermark closes, window by window in definition order. */
  advance(watermark: number): FeatureRecord[] {
    return [...this.windows].flatMap(([label, merger]) =>
      merger
        .advanceWatermark(watermark)
        .map((r) => toFeatureRecord(this.view, label, r, true, Math.min(r.end, watermark), watermark)),
    )
  }

  /** Pending (key, window) pairs. */
  get openKeys(): number {
    let n = 0
    for (const merger of this.windows.values()) n += merger.keyCount
    return n
  }
}
