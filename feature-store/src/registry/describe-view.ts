import type { AnyAggregator } from '../aggregators/aggregator.js'
import type { AnyFeatureView } from '../definitions/feature-view.js'
import type { WindowSpec } from '../windows/window-spec.js'
import { contentHashOf } from './content-hash.js'
import { canonicalFunctionText } from './function-text.js'
import type {
  RegisteredAggregator,
  RegisteredField,
  RegisteredView,
  RegisteredWindow,
} from './registered-view.js'

// biome-ignore lint/suspicious/noExplicitAny: event types differ per view, as in AnyFeatureView
type UserFunction = (event: any) => unknown

/**
 * The user's own functions of a view, as written: `filter` absent when the view keeps every event, `values`
 * only for fields declared with a `value` function (shorthand fields read the event's own property).
 * `defineFeatureView` exposes them as `view.functions`; library defaults are deliberately not in it, so a
 * change to a default's source text never changes anyone's hash.
 */
export interface ViewFunctions {
  readonly key: UserFunction
  readonly eventTime: UserFunction
  readonly filter?: UserFunction
  readonly values: Readonly<Record<string, UserFunction>>
}

// Aggregator properties that are not settings: the id is recorded on its own, the input kind follows from
// the aggregator, and distinctCount's standardError is derived from its precision.
const NOT_PARAMS = new Set(['id', 'input', 'standardError'])
const KEEP_ALL = canonicalFunctionText(() => true)

/**
 * Describes a feature view version as the registry stores it: plain JSON with its schema (feature names and
 * types), entity, ttl, owner, description and the content hash of its definition. Pure: no clock, no I/O
 * (`registeredAt` is set by the registry when it stores the entry).
 *
 * @example
 * const entry = describeView(carMotion)
 * entry.features[0] // { name: 'speed_kmh_mean_5m', type: 'float64', window: '5m', field: 'speedKmh', aggregator: 'mean' }
 * entry.contentHash // 64 hex digits; equal for equal definitions, whatever the formatting of their functions
 */
export function describeView(view: AnyFeatureView): RegisteredView {
  const functions = functionsOf(view)
  const filter = functions.filter === undefined ? null : canonicalFunctionText(functions.filter)
  const definition = {
    entity: view.entity,
    ttlMs: view.ttlMs,
    graceMs: view.graceMs,
    emit: view.emit,
    repartition: view.repartition,
    source: {
      topic: view.source.topic,
      schema: { name: view.source.schema.name, version: view.source.schema.version },
    },
    windows: view.windows.map(describeWindow),
    fields: Object.entries(view.fields).map(
      ([name, aggregators]): RegisteredField => ({
        name,
        value: Object.hasOwn(functions.values, name) ? canonicalFunctionText(functions.values[name]!) : null,
        aggregators: aggregators.map(describeAggregator),
      }),
    ),
    features: view.outputs.map((o) => ({
      name: o.name,
      type: 'float64' as const,
      window: o.window,
      field: o.field,
      aggregator: o.aggregator,
    })),
    functions: {
      key: canonicalFunctionText(functions.key),
      eventTime: canonicalFunctionText(functions.eventTime),
      // `filter: () => true` written out keeps every event, exactly like no filter.
      filter: filter === KEEP_ALL ? null : filter,
    },
  }
  return {
    ref: view.ref,
    name: view.name,
    version: view.version,
    description: view.description,
    owner: view.owner,
    ...definition,
    contentHash: contentHashOf(definition),
  }
}

function functionsOf(view: AnyFeatureView): ViewFunctions {
  // Views built before `defineFeatureView` exposed `functions` show key, eventTime and filter only.
  const exposed = (view as AnyFeatureView & { functions?: ViewFunctions }).functions
  return exposed ?? { key: view.key, eventTime: view.eventTime, filter: view.filter, values: {} }
}

function describeWindow(w: WindowSpec): RegisteredWindow {
  switch (w.kind) {
    case 'tumbling':
    case 'sliding':
      return { kind: w.kind, label: w.label, sizeMs: w.sizeMs }
    case 'hopping':
      return { kind: w.kind, label: w.label, sizeMs: w.sizeMs, slideMs: w.slideMs }
    case 'session':
      return { kind: w.kind, label: w.label, gapMs: w.gapMs }
  }
}

/** Its id and every setting it exposes (percentile `p` and `relativeAccuracy`, distinctCount `precision`). */
function describeAggregator(aggregator: AnyAggregator): RegisteredAggregator {
  const params: Record<string, number | string | boolean> = {}
  for (const [name, value] of Object.entries(aggregator)) {
    if (NOT_PARAMS.has(name)) continue
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      params[name] = value
    }
  }
  return { id: aggregator.id, params }
}
