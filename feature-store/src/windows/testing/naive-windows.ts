/**
 * Test-only brute-force model of the window engine: after every call it recomputes every window from
 * the full list of accepted events, with no panes, queues, timers or merges. The property tests check
 * the real engine against it.
 */
import type { FieldValues } from '../aggregation-plan.js'
import type { AddOutcome } from '../window-result.js'
import { assignWindows, type WindowSpec } from '../window-spec.js'

export type Op =
  | { op: 'event'; key: string; ts: number; values: FieldValues }
  | { op: 'watermark'; wm: number }
  | { op: 'snapshot' }

export interface RefEvent {
  key: string
  ts: number
  values: FieldValues
  /** Aligned windows only: starts of the windows that were still open when the event arrived. */
  countedIn: ReadonlySet<number>
}

export interface RefWindow {
  key: string
  start: number
  end: number
  closesAt: number
  events: RefEvent[]
}

export type RefStep =
  | { op: 'event'; outcome: AddOutcome }
  | { op: 'watermark'; windows: RefWindow[] }
  | { op: 'snapshot'; windows: RefWindow[] }

const order = (a: RefWindow, b: RefWindow) =>
  a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.start - b.start

function currentWindows(spec: WindowSpec, graceMs: number, accepted: readonly RefEvent[]): RefWindow[] {
  const byKey = new Map<string, RefEvent[]>()
  for (const e of accepted) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e])
  const windows: RefWindow[] = []
  for (const [key, events] of byKey) {
    if (spec.kind === 'tumbling' || spec.kind === 'hopping') {
      const starts = new Set(events.flatMap((e) => [...e.countedIn]))
      for (const start of starts) {
        const end = start + spec.sizeMs
        windows.push({
          key,
          start,
          end,
          closesAt: end + graceMs,
          events: events.filter((e) => e.countedIn.has(start)),
        })
      }
    } else if (spec.kind === 'sliding') {
      for (const t of new Set(events.map((e) => e.ts))) {
        const inWindow = events.filter((e) => e.ts >= t - spec.sizeMs && e.ts <= t)
        windows.push({ key, start: t - spec.sizeMs, end: t + 1, closesAt: t + 1 + graceMs, events: inWindow })
      }
    } else {
      const sorted = [...events].sort((a, b) => a.ts - b.ts)
      let current: RefEvent[] = []
      const flush = () => {
        const firstTs = current[0]!.ts
        const end = current.at(-1)!.ts + spec.gapMs
        windows.push({ key, start: firstTs, end, closesAt: end + graceMs, events: current })
      }
      for (const e of sorted) {
        if (current.length > 0 && e.ts - current.at(-1)!.ts >= spec.gapMs) {
          flush()
          current = []
        }
        current.push(e)
      }
      if (current.length > 0) flush()
    }
  }
  return windows
}

/** Whether an event touched a window, in the sense `snapshot()` reports. */
function touches(spec: WindowSpec, w: RefWindow, e: RefEvent): boolean {
  if (e.key !== w.key) return false
  if (spec.kind === 'sliding') return e.ts <= w.end - 1 && w.end - 1 <= e.ts + spec.sizeMs
  return w.events.includes(e)
}

/** Runs `ops` through the model, returning what each call should produce. */
export function naiveRun(spec: WindowSpec, graceMs: number, ops: readonly Op[]): RefStep[] {
  let watermark = Number.NEGATIVE_INFINITY
  const accepted: RefEvent[] = []
  const emitted = new Set<string>()
  let touchedSince: RefEvent[] = []
  const steps: RefStep[] = []
  for (const op of ops) {
    if (op.op === 'event') {
      let countedIn = new Set<number>()
      let ok: boolean
      if (spec.kind === 'tumbling' || spec.kind === 'hopping') {
        countedIn = new Set(
          assignWindows(spec, op.ts)
            .filter((w) => watermark < w.end + graceMs)
            .map((w) => w.start),
        )
        ok = countedIn.size > 0
      } else {
        ok = op.ts >= watermark - graceMs
      }
      if (ok) {
        const event = { key: op.key, ts: op.ts, values: op.values, countedIn }
        accepted.push(event)
        touchedSince.push(event)
      }
      steps.push({ op: 'event', outcome: ok ? 'accepted' : 'late' })
    } else if (op.op === 'watermark') {
      if (op.wm <= watermark) {
        steps.push({ op: 'watermark', windows: [] })
        continue
      }
      watermark = op.wm
      const closing = currentWindows(spec, graceMs, accepted).filter(
        (w) => w.closesAt <= watermark && !emitted.has(`${w.key}|${w.start}|${w.end}`),
      )
      for (const w of closing) emitted.add(`${w.key}|${w.start}|${w.end}`)
      steps.push({ op: 'watermark', windows: closing.sort(order) })
    } else {
      const open = currentWindows(spec, graceMs, accepted).filter((w) => w.closesAt > watermark)
      const touched = open.filter((w) => touchedSince.some((e) => touches(spec, w, e)))
      touchedSince = []
      steps.push({ op: 'snapshot', windows: touched.sort(order) })
    }
  }
  return steps
}
