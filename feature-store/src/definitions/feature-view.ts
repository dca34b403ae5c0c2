import type { z } from 'zod'
import type { AnyAggregator } from '../aggregators/aggregator.js'
import { FreshetError } from '../errors.js'
import type { FieldAggregators, FieldValue, FieldVector } from '../windows/aggregation-plan.js'
import { type Duration, parseDuration } from '../windows/duration.js'
import type { WindowSpec } from '../windows/window-spec.js'
import { featureName, snakeCase } from './feature-names.js'

/** Where a view's events come from: a topic and the versioned schema of its values. */
export interface EventSource<E> {
  readonly topic: string
  readonly schema: { readonly name: string; readonly version: number; readonly schema: z.ZodType<E> }
}

/** A feature input computed from the event; `undefined`/`null` means "this event has no value for it". */
export interface FeatureSpec<E> {
  value(event: E): number | string | null | undefined
  aggregations: readonly AnyAggregator[]
  description?: string
}

/** Shorthand `speedKmh: [mean, max]` reads the event's own numeric field. */
export type FeatureInput<E> = readonly AnyAggregator[] | FeatureSpec<E>

export type Emission = 'final' | 'updating'

export interface FeatureViewInput<E> {
  /** snake_case; with `version` it identifies the view everywhere (topics, tables, keys). */
  name: string
  version: number
  /** What the key identifies: 'car', 'zone'. */
  entity: string
  description: string
  owner: string
  source: EventSource<E>
  /** Entity key of an event; `undefined` skips the event (e.g. a ride event with no zone of interest). */
  key(event: E): string | undefined
  eventTime(event: E): number
  filter?(event: E): boolean
  windows: readonly WindowSpec[]
  /** How long after a window's end late events still count. */
  grace: Duration
  /** `final`: one record per window when it closes. `updating`: also a partial record per micro-batch. */
  emit: Emission
  features: Readonly<Record<string, FeatureInput<E>>>
  /** How long a value stays valid in the online store after its event time. */
  ttl: Duration
  /**
   * Set when `key` is not what the source topic is partitioned by (a zone over car-keyed telemetry): each input
   * partition then aggregates its own events and the engine merges the partial windows by key in a second
   * phase (through an internal topic, live). Needs tumbling or hopping windows and `final` emission.
   */
  repartition?: boolean
}

/** One output column: which field, aggregator and window produce it. */
export interface FeatureOutput {
  name: string
  field: string
  aggregator: string
  window: string
}

/** A validated, normalised feature view: what the runtime, replay and the offline store all consume. */
export interface FeatureView<E = unknown> {
  readonly name: string
  readonly version: number
  /** `car_motion:v1`: how records, topics and tables refer to the view. */
  readonly ref: string
  readonly entity: string
  readonly description: string
  readonly owner: string
  readonly source: EventSource<E>
  readonly key: (event: E) => string | undefined
  readonly eventTime: (event: E) => number
  readonly filter: (event: E) => boolean
  readonly windows: readonly WindowSpec[]
  readonly graceMs: number
  readonly emit: Emission
  readonly ttlMs: number
  /** Aggregated in two phases: per input partition, then merged by key (see `FeatureViewInput.repartition`). */
  readonly repartition: boolean
  /** Aggregators per field, as the window engine takes them. */
  readonly fields: FieldAggregators
  /** Output columns per window label, in definition order. */
  readonly outputs: readonly FeatureOutput[]
  /** Field values of one event, in the order of `Object.keys(fields)` (what the window engines read). */
  extract(event: E): FieldVector
}

const NAME = /^[a-z][a-z0-9_]*$/

/**
 * Declares a feature view. Validates eagerly, so a bad definition fails at import time with a clear message.
 *
 * @example
 * export const carMotion = defineFeatureView({
 *   name: 'car_motion', version: 1, entity: 'car', owner: 'mobility-ds', description: 'How each car moves',
 *   source: { topic: 'car.telemetry.v1', schema: carTelemetrySchema },
 *   key: (e) => e.carId, eventTime: (e) => e.ts,
 *   windows: [hopping('15m', '1m'), tumbling('1h')], grace: '30s', emit: 'final', ttl: '2h',
 *   features: { speedKmh: [mean, max, stddev], distanceKm: { value: (e) => e.odometerKm, aggregations: [delta] } },
 * })
 * // outputs: speed_kmh_mean_15m, speed_kmh_max_15m, …, distance_km_delta_1h
 */
export function defineFeatureView<E>(input: FeatureViewInput<E>): FeatureView<E> {
  const invalid = (why: string) => new FreshetError('CONFIG_INVALID', `feature view '${input.name}': ${why}`)
  if (!NAME.test(input.name)) throw invalid(`name must match ${NAME}`)
  if (!Number.isInteger(input.version) || input.version < 1)
    throw invalid('version must be a positive integer')
  if (input.windows.length === 0) throw invalid('needs at least one window')
  const labels = input.windows.map((w) => w.label)
  if (new Set(labels).size !== labels.length)
    throw invalid(`window labels must be unique, got ${labels.join(', ')}`)
  const repartition = input.repartition ?? false
  if (repartition && input.emit !== 'final') throw invalid("a repartitioned view emits 'final' records only")
  const unaligned = input.windows.find((w) => w.kind !== 'tumbling' && w.kind !== 'hopping')
  if (repartition && unaligned) {
    throw invalid(`a repartitioned view needs tumbling or hopping windows, not ${unaligned.kind}`)
  }
  const entries = Object.entries(input.features)
  if (entries.length === 0) throw invalid('needs at least one feature')

  const fields: Record<string, readonly AnyAggregator[]> = {}
  const readers = new Map<string, (event: E) => FieldValue>()
  for (const [field, spec] of entries) {
    const aggregations = isSpec(spec) ? spec.aggregations : spec
    if (aggregations.length === 0) throw invalid(`feature '${field}' lists no aggregations`)
    fields[field] = aggregations
    readers.set(field, isSpec(spec) ? spec.value : (event) => readField(event, field))
  }
  // In the order the window engines read a vector in (`Object.keys(fields)`), whatever order JS gives keys.
  const extractors = Object.keys(fields).map((field) => readers.get(field)!)
  const outputs = input.windows.flatMap((w) =>
    entries.flatMap(([field]) =>
      (fields[field] ?? []).map((a) => ({
        name: featureName(field, a.id, w.label),
        field,
        aggregator: a.id,
        window: w.label,
      })),
    ),
  )
  const names = outputs.map((o) => o.name)
  const clash = names.find((n, i) => names.indexOf(n) !== i)
  if (clash) throw invalid(`two features map to the output name '${clash}'`)

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
    filter: input.filter ?? (() => true),
    windows: [...input.windows],
    graceMs: input.grace === 0 ? 0 : parseDuration(input.grace, `feature view '${input.name}' grace`),
    emit: input.emit,
    ttlMs: parseDuration(input.ttl, `feature view '${input.name}' ttl`),
    repartition,
    fields,
    outputs,
    extract(event: E): FieldVector {
      const values = new Array<FieldValue>(extractors.length)
      for (let i = 0; i < extractors.length; i++) values[i] = extractors[i]!(event)
      return values
    },
  })
}

function isSpec<E>(input: FeatureInput<E>): input is FeatureSpec<E> {
  return !Array.isArray(input)
}

function readField(event: unknown, field: string): number | string | undefined {
  const value = (event as Record<string, unknown>)[field]
  return typeof value === 'number' || typeof value === 'string' ? value : undefined
}

/** A view with its event type erased: what registries and runtimes hold. */
// biome-ignore lint/suspicious/noExplicitAny: event types differ per view; each view only ever sees its own events
export type AnyFeatureView = FeatureView<any>
