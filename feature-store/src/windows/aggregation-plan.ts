import type { AggregatorResult, AnyAggregator } from '../aggregators/aggregator.js'
import { FreshetError } from '../errors.js'

/** Aggregators per input field, e.g. `{ speedKmh: [mean, max, stddev], odometerKm: [delta] }`. */
export type FieldAggregators = Readonly<Record<string, readonly AnyAggregator[]>>

/** One field value of an event; null, undefined, NaN and ±Infinity are missing values and are skipped. */
export type FieldValue = number | string | null | undefined

/** One event's field values by name. */
export type FieldValues = Readonly<Record<string, FieldValue>>

/**
 * One event's field values in the order of the aggregation's fields (`Object.keys(fields)`), as
 * `FeatureView.extract` returns them: the engine's hot path reads them by position, not by name.
 */
export type FieldVector = readonly FieldValue[]

/** Results of one window: field → aggregator id → value, e.g. `{ speedKmh: { mean: 41.2, max: 88 } }`. */
export type WindowAggregates = Record<string, Record<string, AggregatorResult>>

/** Aggregator states of one pane/bucket/session, one per (field, aggregator) slot. Opaque to callers. */
export type Row = unknown[]

interface Slot {
  readonly field: string
  readonly aggregator: AnyAggregator
}

/**
 * The flattened (field × aggregator) layout every window engine stores rows in. Keeping it in one place
 * means value filtering, merging and (de)serialisation are identical for all window kinds.
 */
export class AggregationPlan {
  readonly slots: readonly Slot[]
  /** Identifies the layout in checkpoints, so state is never restored into a different definition. */
  readonly fingerprint: string
  // The slots again as parallel arrays: `add` runs for every event in every window, and reads only these.
  private readonly fieldOf: readonly string[]
  private readonly aggregatorOf: readonly AnyAggregator[]
  private readonly takesStrings: readonly boolean[]
  /** Position of each slot's field in a `FieldVector`. */
  private readonly positionOf: readonly number[]

  constructor(fields: FieldAggregators) {
    const slots: Slot[] = []
    for (const [field, aggregators] of Object.entries(fields)) {
      const seen = new Set<string>()
      for (const aggregator of aggregators) {
        if (seen.has(aggregator.id)) {
          throw new FreshetError(
            'CONFIG_INVALID',
            `field '${field}' lists aggregator '${aggregator.id}' twice`,
          )
        }
        seen.add(aggregator.id)
        slots.push({ field, aggregator })
      }
    }
    if (slots.length === 0) {
      throw new FreshetError(
        'CONFIG_INVALID',
        'a windowed aggregation needs at least one field with an aggregator',
      )
    }
    this.slots = slots
    this.fingerprint = slots.map((s) => `${s.field}:${s.aggregator.id}`).join(',')
    this.fieldOf = slots.map((s) => s.field)
    this.aggregatorOf = slots.map((s) => s.aggregator)
    this.takesStrings = slots.map((s) => s.aggregator.input === 'number-or-string')
    const order = Object.keys(fields)
    this.positionOf = slots.map((s) => order.indexOf(s.field))
  }

  init(): Row {
    return this.slots.map((s) => s.aggregator.init())
  }

  /** Adds one event's values. Mutates and returns `row`. */
  add(row: Row, ts: number, values: FieldValues | FieldVector): Row {
    const n = this.fieldOf.length
    // Two loops, so each reads one kind of input: a vector by position (cheap) or a record by name.
    if (Array.isArray(values)) {
      const vector = values as FieldVector
      for (let i = 0; i < n; i++) {
        const value = usable(vector[this.positionOf[i]!], this.takesStrings[i]!)
        if (value !== undefined) row[i] = this.aggregatorOf[i]!.add(row[i], value, ts)
      }
      return row
    }
    const record = values as FieldValues
    for (let i = 0; i < n; i++) {
      const value = usable(record[this.fieldOf[i]!], this.takesStrings[i]!)
      if (value !== undefined) row[i] = this.aggregatorOf[i]!.add(row[i], value, ts)
    }
    return row
  }

  /** A new row holding both inputs; inputs are not modified. */
  merge(a: Row, b: Row): Row {
    return this.slots.map((s, i) => s.aggregator.merge(a[i], b[i]))
  }

  /** Merges many rows (none → an empty row). Never returns one of its inputs, so callers may mutate it. */
  mergeAll(rows: readonly Row[]): Row {
    let acc = this.init()
    for (const row of rows) acc = this.merge(acc, row)
    return acc
  }

  results(row: Row): WindowAggregates {
    const out: WindowAggregates = {}
    for (let i = 0; i < this.slots.length; i++) {
      const { field, aggregator } = this.slots[i]!
      out[field] ??= {}
      out[field][aggregator.id] = aggregator.result(row[i])
    }
    return out
  }

  rowToJSON(row: Row): unknown[] {
    return this.slots.map((s, i) => s.aggregator.toJSON(row[i]))
  }

  rowFromJSON(json: unknown): Row {
    if (!Array.isArray(json) || json.length !== this.slots.length) {
      throw new FreshetError(
        'INTERNAL',
        `checkpointed row does not have ${this.slots.length} aggregator states`,
      )
    }
    return this.slots.map((s, i) => s.aggregator.fromJSON(json[i]))
  }
}

function usable(value: FieldValue, takesStrings: boolean): number | string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined
    // -0 would otherwise survive min/first/last and make equal windows compare unequal.
    return value === 0 ? 0 : value
  }
  if (typeof value === 'string' && takesStrings) return value
  return undefined
}
