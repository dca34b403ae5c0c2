import type { WindowAggregates } from './aggregation-plan.js'

/** Whether `add` counted an event, or rejected it because every window it belongs to has closed. */
export type AddOutcome = 'accepted' | 'late'

/** Aggregates of one key's window [start, end). */
export interface WindowResult {
  key: string
  start: number
  end: number
  aggregates: WindowAggregates
  /**
   * The window's aggregator states as JSON, present only when asked for (`advanceWatermark(wm, { withState })`):
   * the partial a first phase hands to `WindowMerger` when a view is aggregated in two phases.
   */
  state?: unknown[]
}

// Code-unit order, not localeCompare: the same on every machine and Node version.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The emission order of the engine: window end, then key, then window start. */
export function compareWindowResults(a: WindowResult, b: WindowResult): number {
  return a.end - b.end || compareKeys(a.key, b.key) || a.start - b.start
}

export { compareKeys }
