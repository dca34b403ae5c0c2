import { FreshetError } from '@freshet/feature-store'
import type { AbsencePattern } from './absence-pattern.js'
import { type AlertRecord, alertRecordId } from './alert-record.js'
import { DeadlineQueue } from './deadline-queue.js'

/**
 * What the detector remembers about one key. Its time in the deadline queue is when the watermark next matters
 * to it: an armed key's deadline, when a disarmed key can be forgotten, when a fired key stops waiting.
 */
type KeyState<E> =
  | { phase: 'armed'; lastSeenAt: number; last: E }
  | { phase: 'disarmed'; lastSeenAt: number }
  | { phase: 'fired'; lastSeenAt: number }

/**
 * The state machine of one {@link AbsencePattern} over one input partition: pure, no clock, no I/O, so the
 * live runtime, a replay and an offline run of the same records give the same alerts.
 *
 * Semantics, per key (T = `timeoutMs`, R = `resolveWithinMs`, W = the watermark, i.e. the highest value
 * passed to `advance`):
 * - An event is *newer* when its event time exceeds that of every earlier event of its key. Anything else
 *   (an out-of-order older event, a duplicate time) changes nothing.
 * - A newer event with time t *arms* the key (deadline t + T) when it satisfies `while` and arrives before its
 *   own deadline (t + T > W); otherwise it *disarms* the key. An event arriving after its own deadline is too
 *   late to tell anything about a silence the watermark has already passed; arming on it would make a
 *   partition catching up behind an idle-advanced watermark fire for every car.
 * - When W reaches an armed key's deadline (W ≥ t + T), exactly one `fired` alert is emitted, with event time
 *   t + T and the context of the last-seen event.
 * - The next newer event of a fired key emits `resolved` (event time = its time, `gapMs` = its time − t, its
 *   own context), then arms or disarms the key as above. A fired key waits for it only while W < t + R;
 *   after that the key is forgotten and its return counts as its first event (no `resolved`).
 *
 * Memory: a key is remembered only while it can still change the output. An armed key until it fires; a
 * disarmed key until W ≥ t + T, after which every older event would be too late anyway (so forgetting it
 * cannot let a stale event re-arm it); a fired key until W ≥ t + R. `openKeys` counts them.
 *
 * Output order: `add` returns the `resolved` its event causes (if any); `advance` returns the `fired` alerts
 * of every deadline it passes, by event time, then key. Call `add` for each event in partition order and
 * `advance` whenever the watermark grows, as the engine does for views (event first, then the watermark).
 *
 * Restarts: see {@link AbsenceDetector.horizonMs}.
 *
 * @example
 * const detector = new AbsenceDetector(carTelemetryGap)
 * const alerts = [...detector.add(event), ...detector.advance(watermark)]
 * const last = detector.advance(Number.POSITIVE_INFINITY) // end of input: every armed key fires
 */
export class AbsenceDetector<E> {
  private readonly keys = new Map<string, KeyState<E>>()
  private readonly due = new DeadlineQueue()
  private wm = Number.NEGATIVE_INFINITY

  constructor(readonly pattern: AbsencePattern<E>) {}

  get watermark(): number {
    return this.wm
  }

  /** Keys remembered (armed, recently disarmed, or fired and awaiting their return): a gauge for memory. */
  get openKeys(): number {
    return this.keys.size
  }

  /**
   * How far before the watermark W a restarted worker must replay to rebuild this detector: R
   * (`resolveWithinMs`). Every key remembered at W has its last-seen event after W − R, so replaying, in
   * partition order, every record from one at or before the first with event time ≥ W − R, then
   * `advance(W)`, rebuilds exactly the state the detector had at W, and the output continues as if
   * nothing had happened (checked in absence-detector.property.test.ts). A partition processor running
   * detectors next to views replays from the longest horizon of them all.
   *
   * That holds when the watermark followed event times over the replayed stretch. Idle advances (the
   * runtime moving a quiet partition's watermark with the wall clock) cannot be replayed: an event that arrived
   * too late to arm behind such a watermark may arm during the replay, and the restarted worker may then
   * publish a `resolved` whose `fired` was never published (its id is still the deterministic one). Gaps longer
   * than R are never resolved, so there is no such alert for a restart to lose.
   */
  get horizonMs(): number {
    return this.pattern.resolveWithinMs
  }

  /** Applies one event; returns the `resolved` alert it causes, if its key had fired. */
  add(event: E): AlertRecord[] {
    const { pattern } = this
    const key = pattern.key(event)
    if (key === undefined) return []
    const ts = pattern.eventTime(event)
    if (!Number.isFinite(ts)) {
      throw new FreshetError(
        'EVENT_SCHEMA_INVALID',
        `absence pattern ${pattern.ref}: event time of ${key} is ${ts}, not a finite number`,
      )
    }
    const state = this.keys.get(key)
    if (state && ts <= state.lastSeenAt) return []
    const tooLate = ts + pattern.timeoutMs <= this.wm
    // Unknown keys cannot be resolved, so a too-late event for one changes nothing.
    if (!state && tooLate) return []
    // Everything that may throw (user callbacks) runs before the state changes, so a throwing event is a no-op.
    const arms = !tooLate && pattern.while(event)
    const out = state?.phase === 'fired' ? [this.resolved(key, state.lastSeenAt, event, ts)] : []
    if (tooLate) {
      this.forget(key)
    } else {
      this.keys.set(
        key,
        arms ? { phase: 'armed', lastSeenAt: ts, last: event } : { phase: 'disarmed', lastSeenAt: ts },
      )
      this.due.set(key, ts + pattern.timeoutMs)
    }
    return out
  }

  /**
   * Moves the watermark to `watermark` (ignored unless it grows) and returns a `fired` alert for every armed
   * key whose deadline it reached, by event time, then key. `+Infinity` ends the input: every armed key fires.
   */
  advance(watermark: number): AlertRecord[] {
    if (Number.isNaN(watermark)) {
      throw new FreshetError('INTERNAL', `absence pattern ${this.pattern.ref}: watermark is NaN`)
    }
    if (watermark <= this.wm) return []
    this.wm = watermark
    const out: AlertRecord[] = []
    for (let next = this.due.peek(); next !== undefined && next.due <= watermark; next = this.due.peek()) {
      this.due.pop()
      const state = this.keys.get(next.key)!
      if (state.phase !== 'armed') {
        this.keys.delete(next.key)
        continue
      }
      out.push(this.fired(next.key, state))
      // Kept so that its return resolves; this same loop forgets it if the watermark is already past that.
      this.keys.set(next.key, { phase: 'fired', lastSeenAt: state.lastSeenAt })
      this.due.set(next.key, state.lastSeenAt + this.pattern.resolveWithinMs)
    }
    return out
  }

  private forget(key: string): void {
    this.keys.delete(key)
    this.due.delete(key)
  }

  private fired(key: string, state: { lastSeenAt: number; last: E }): AlertRecord {
    const { pattern } = this
    const eventTime = state.lastSeenAt + pattern.timeoutMs
    return {
      id: alertRecordId(pattern.ref, key, state.lastSeenAt, 'fired'),
      pattern: pattern.name,
      version: pattern.version,
      entity: pattern.entity,
      key,
      kind: 'fired',
      lastSeenAt: state.lastSeenAt,
      eventTime,
      // End of input (+Infinity) is no watermark a record can carry; as for feature records, use the event time.
      watermark: Number.isFinite(this.wm) ? this.wm : eventTime,
      context: pattern.context(state.last),
    }
  }

  private resolved(key: string, lastSeenAt: number, event: E, ts: number): AlertRecord {
    const { pattern } = this
    return {
      id: alertRecordId(pattern.ref, key, lastSeenAt, 'resolved'),
      pattern: pattern.name,
      version: pattern.version,
      entity: pattern.entity,
      key,
      kind: 'resolved',
      lastSeenAt,
      eventTime: ts,
      gapMs: ts - lastSeenAt,
      // The event has arrived, so the watermark is at least its time (the runtime moves it right after).
      watermark: Math.max(this.wm, ts),
      context: pattern.context(event),
    }
  }
}
