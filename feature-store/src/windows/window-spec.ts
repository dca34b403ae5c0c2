import { FreshetError } from '../errors.js'
import { type Duration, formatDuration, parseDuration } from './duration.js'

/**
 * Fixed-size windows aligned to epoch 0 that tile time: [k·size, (k+1)·size). A window closes at
 * watermark ≥ end + grace; an event is late only when its window has closed.
 */
export interface TumblingWindow {
  readonly kind: 'tumbling'
  readonly sizeMs: number
  readonly label: string
}

/**
 * Fixed-size windows aligned to epoch 0, one starting every `slideMs`; each event is in size/slide of
 * them. An event is counted in those still open (watermark < end + grace) and is late only when none is.
 */
export interface HoppingWindow {
  readonly kind: 'hopping'
  readonly sizeMs: number
  readonly slideMs: number
  readonly label: string
}

/**
 * One window per distinct event time t of a key, covering [t − size, t] inclusive (Kafka Streams'
 * SlidingWindows bounds), reported half-open as { start: t − size, end: t + 1 }. "Mean speed over the
 * last 10 minutes as of this event", reproducible offline from the events alone. The window of t closes
 * at watermark ≥ t + 1 + grace; an event is late when ts < watermark − grace (its own window has closed),
 * which also means it can no longer belong to any window already emitted.
 */
export interface SlidingWindow {
  readonly kind: 'sliding'
  readonly sizeMs: number
  readonly label: string
}

/**
 * Activity sessions per key: events less than `gapMs` apart belong together (an event bridging two
 * sessions merges them); a session is reported as [firstTs, lastTs + gap) and closes at
 * watermark ≥ lastTs + gap + grace. An event is late when ts < watermark − grace: a session's extent is
 * unknown until its events are in, so this is what guarantees a late event never extends or bridges into
 * a session that was already emitted.
 */
export interface SessionWindow {
  readonly kind: 'session'
  readonly gapMs: number
  readonly label: string
}

/** A window definition; `label` is the stable suffix in feature names ('15m', '1h', 'session30m'). */
export type WindowSpec = TumblingWindow | HoppingWindow | SlidingWindow | SessionWindow

/** Windows whose bounds follow from the timestamp alone. */
export type AlignedWindowSpec = TumblingWindow | HoppingWindow

/** Half-open event-time interval [start, end) in epoch ms. */
export interface WindowBounds {
  start: number
  end: number
}

export interface WindowOptions {
  /** Overrides the generated label; lowercase letters, digits and '_' only (it becomes part of a column name). */
  label?: string
}

const LABEL = /^[a-z0-9_]+$/

function labelOf(generated: string, options: WindowOptions): string {
  const label = options.label ?? generated
  if (!LABEL.test(label)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `window label '${label}' must match ${LABEL} (it is part of feature names)`,
    )
  }
  return label
}

/**
 * Tumbling window of the given size; label is the size ('1h').
 *
 * @example
 * tumbling('1h') // { kind: 'tumbling', sizeMs: 3_600_000, label: '1h' }
 */
export function tumbling(size: Duration, options: WindowOptions = {}): TumblingWindow {
  const sizeMs = parseDuration(size, 'tumbling window size')
  return { kind: 'tumbling', sizeMs, label: labelOf(formatDuration(sizeMs), options) }
}

/**
 * Hopping window: `size` long, advancing by `slide`; size must be a multiple of slide (panes of one
 * slide are then the tiles every window is merged from). Label is the size ('15m').
 *
 * @example
 * hopping('15m', '1m') // { kind: 'hopping', sizeMs: 900_000, slideMs: 60_000, label: '15m' }
 */
export function hopping(size: Duration, slide: Duration, options: WindowOptions = {}): HoppingWindow {
  const sizeMs = parseDuration(size, 'hopping window size')
  const slideMs = parseDuration(slide, 'hopping window slide')
  if (sizeMs % slideMs !== 0) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `hopping window size (${formatDuration(sizeMs)}) must be a multiple of its slide (${formatDuration(slideMs)})`,
    )
  }
  return { kind: 'hopping', sizeMs, slideMs, label: labelOf(formatDuration(sizeMs), options) }
}

/**
 * Sliding window ending at each event: covers [t − size, t]. Label is the size ('10m').
 *
 * @example
 * sliding('10m') // { kind: 'sliding', sizeMs: 600_000, label: '10m' }
 */
export function sliding(size: Duration, options: WindowOptions = {}): SlidingWindow {
  const sizeMs = parseDuration(size, 'sliding window size')
  return { kind: 'sliding', sizeMs, label: labelOf(formatDuration(sizeMs), options) }
}

/**
 * Session window with an inactivity gap. Label is 'session' + gap ('session30m').
 *
 * @example
 * session('30m') // { kind: 'session', gapMs: 1_800_000, label: 'session30m' }
 */
export function session(gap: Duration, options: WindowOptions = {}): SessionWindow {
  const gapMs = parseDuration(gap, 'session gap')
  return { kind: 'session', gapMs, label: labelOf(`session${formatDuration(gapMs)}`, options) }
}

/** Throws unless `ts` is an integer epoch-ms timestamp (fractions would break the half-open bounds). */
export function assertEventTime(ts: number): void {
  if (!Number.isSafeInteger(ts)) {
    throw new FreshetError(
      'EVENT_SCHEMA_INVALID',
      `event time must be an integer epoch-ms timestamp, got ${ts}`,
    )
  }
}

/** Start of the slot of length `step` (aligned to epoch 0) that holds `ts`; exact for negative ts too. */
export function alignDown(ts: number, step: number): number {
  return ts - (((ts % step) + step) % step)
}

/** Slide of an aligned window: its pane (tile) length. Tumbling windows are a single pane. */
export function paneMs(spec: AlignedWindowSpec): number {
  return spec.kind === 'hopping' ? spec.slideMs : spec.sizeMs
}

/**
 * The windows a timestamp falls in, oldest first: one for tumbling, size/slide for hopping. Half-open,
 * aligned to epoch 0, so an event exactly at a window's end belongs to the next window.
 *
 * @example
 * assignWindows(tumbling('1m'), 60_000) // [{ start: 60_000, end: 120_000 }]
 * assignWindows(hopping('3m', '1m'), 150_000).length // 3
 */
export function assignWindows(spec: AlignedWindowSpec, ts: number): WindowBounds[] {
  assertEventTime(ts)
  const slide = paneMs(spec)
  const lastStart = alignDown(ts, slide)
  const windows: WindowBounds[] = []
  for (let start = lastStart - spec.sizeMs + slide; start <= lastStart; start += slide) {
    windows.push({ start, end: start + spec.sizeMs })
  }
  return windows
}
