import {
  type Duration,
  type EventSource,
  FreshetError,
  parseDuration,
  snakeCase,
} from '@freshet/feature-store'
import type { AlertContext } from './alert-record.js'

export interface AbsencePatternInput<E> {
  /** snake_case; with `version` it identifies the pattern in alert ids and records. */
  name: string
  version: number
  /** What the key identifies: 'car'. */
  entity: string
  description: string
  owner: string
  /** The topic and schema the events come from, as for feature views. */
  source: EventSource<E>
  /** Entity key of an event; `undefined` skips the event. */
  key(event: E): string | undefined
  eventTime(event: E): number
  /** Whether silence after this event is alarming (e.g. the car is on a trip). */
  while(event: E): boolean
  /** How long a key may stay silent after an event that satisfies `while` before the alert fires. */
  timeout: Duration
  /**
   * How long after the last-seen event a fired key is remembered, so that its return emits `resolved`. Longer
   * gaps are never resolved, in live and replayed runs alike; it is also the detector's replay horizon, so it
   * sets how much history a restarted worker reads. Must exceed `timeout`. Default '1h' (the engine already
   * replays an hour for hourly windows).
   */
  resolveWithin?: Duration
  /** Small record copied into alerts from the event behind them (scalars or one level of records). Default none. */
  context?(event: E): AlertContext
}

/** A validated absence pattern: what the detector, the runtime and the alert records refer to. */
export interface AbsencePattern<E = unknown> {
  readonly name: string
  readonly version: number
  /** `car_telemetry_gap:v1` */
  readonly ref: string
  readonly entity: string
  readonly description: string
  readonly owner: string
  readonly source: EventSource<E>
  readonly key: (event: E) => string | undefined
  readonly eventTime: (event: E) => number
  readonly while: (event: E) => boolean
  readonly timeoutMs: number
  readonly resolveWithinMs: number
  readonly context: (event: E) => AlertContext
}

/** A pattern with its event type erased: what registries and runtimes hold. */
// biome-ignore lint/suspicious/noExplicitAny: event types differ per pattern; each only ever sees its own events
export type AnyAbsencePattern = AbsencePattern<any>

const NAME = /^[a-z][a-z0-9_]*$/
const DEFAULT_RESOLVE_WITHIN = '1h'

/**
 * Declares an absence pattern: "no event for `timeout` while the key's latest event satisfies `while`".
 * Validates eagerly, so a bad definition fails at import time with a CONFIG_INVALID error naming the field.
 * The semantics (arming, firing, resolving, what is forgotten) are on {@link AbsenceDetector}.
 *
 * @example
 * export const carTelemetryGap = defineAbsencePattern({
 *   name: 'car_telemetry_gap', version: 1, entity: 'car', owner: 'mobility-features',
 *   description: 'No telemetry for 30 s from a car on a trip',
 *   source: telemetrySource, key: (e) => e.carId, eventTime: (e) => e.ts,
 *   while: (e) => e.status === 'on_trip', timeout: '30s',
 *   context: (e) => ({ status: e.status, zoneId: e.zoneId }),
 * })
 * carTelemetryGap.ref // 'car_telemetry_gap:v1'
 */
export function defineAbsencePattern<E>(input: AbsencePatternInput<E>): AbsencePattern<E> {
  const what = `absence pattern '${String(input.name)}'`
  const invalid = (why: string) => new FreshetError('CONFIG_INVALID', `${what}: ${why}`)
  if (typeof input.name !== 'string' || !NAME.test(input.name)) throw invalid(`name must match ${NAME}`)
  if (!Number.isInteger(input.version) || input.version < 1)
    throw invalid('version must be a positive integer')
  for (const field of ['entity', 'description', 'owner'] as const) {
    const value = input[field]
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} must be a non-empty string`)
  }
  if (typeof input.source?.topic !== 'string' || input.source.topic === '' || !input.source.schema)
    throw invalid('source needs a topic and a schema')
  for (const fn of ['key', 'eventTime', 'while'] as const) {
    if (typeof input[fn] !== 'function') throw invalid(`${fn} must be a function`)
  }
  if (input.context !== undefined && typeof input.context !== 'function')
    throw invalid('context must be a function when given')
  const timeoutMs = parseDuration(input.timeout, `${what} timeout`)
  const resolveWithinMs = parseDuration(
    input.resolveWithin ?? DEFAULT_RESOLVE_WITHIN,
    `${what} resolveWithin`,
  )
  if (resolveWithinMs <= timeoutMs) {
    throw invalid(
      `resolveWithin (${resolveWithinMs} ms) must exceed timeout (${timeoutMs} ms), or no alert could resolve`,
    )
  }
  return Object.freeze({
    name: input.name,
    version: input.version,
    ref: `${input.name}:v${input.version}`,
    entity: snakeCase(input.entity),
    description: input.description,
    owner: input.owner,
    source: input.source,
    key: input.key,
    eventTime: input.eventTime,
    while: input.while,
    timeoutMs,
    resolveWithinMs,
    context: input.context ?? (() => ({})),
  })
}
