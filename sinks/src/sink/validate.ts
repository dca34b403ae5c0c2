import {
  type ErrorCode,
  FEATURE_RECORD_SCHEMA,
  type FeatureRecord,
  type FeatureView,
  featureRecordId,
  featureRecordV1,
} from '@freshet/feature-store'
import { HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from '@freshet/pipelines'
import { z } from 'zod'

/** What the sink needs of a feature view to check its records and route them: identity, outputs, emission, ttl. */
export type SinkView = Pick<FeatureView, 'name' | 'version' | 'ref' | 'entity' | 'ttlMs' | 'outputs' | 'emit'>

/** A consumed message as far as validation cares. */
export interface FeatureMessage {
  topic: string
  value: Buffer | null
  headers: Record<string, string>
}

/** A record fit for the stores, or why it goes to the dead-letter topic instead. */
export type Verdict = { ok: true; record: FeatureRecord } | { ok: false; code: ErrorCode; reason: string }

/** Checks one message of a feature topic against the view that owns the topic. */
export type FeatureRecordValidator = (message: FeatureMessage) => Verdict

// The record contract, except that feature values are checked per feature below, so a reason can name the one
// that is wrong instead of a zod path.
const envelope = featureRecordV1.extend({ features: z.record(z.string(), z.unknown()) })

interface ViewSchema {
  view: SinkView
  /** Window label → its output feature names. */
  windows: Map<string, Set<string>>
}

/**
 * Builds the validator of a sink's topics. A message is rejected (never written) when it is a tombstone or not
 * JSON (`EVENT_UNDECODABLE`), does not say it is a feature record v1 (`EVENT_UNKNOWN_SCHEMA`), breaks the record
 * envelope or its invariants: empty entity, window bounds, an `id` other than the deterministic one the offline
 * store deduplicates on (`EVENT_SCHEMA_INVALID`), or does not match the definition of the topic's view: another
 * view or version, an unknown window, feature names other than exactly that window's outputs, a value that is
 * not a number or null, a partial record of a `final` view (`FEATURE_SCHEMA_MISMATCH`).
 *
 * @example
 * const validate = createFeatureRecordValidator([carMotion], featureTopicName)
 * const verdict = validate({ topic: 'features.car_motion.v1', value, headers })
 * if (!verdict.ok) deadLetter(message, verdict.code, verdict.reason)
 */
export function createFeatureRecordValidator(
  views: readonly SinkView[],
  topicOf: (view: SinkView) => string,
): FeatureRecordValidator {
  const byTopic = new Map<string, ViewSchema>()
  for (const view of views) {
    const windows = new Map<string, Set<string>>()
    for (const output of view.outputs) {
      const names = windows.get(output.window) ?? new Set<string>()
      names.add(output.name)
      windows.set(output.window, names)
    }
    byTopic.set(topicOf(view), { view, windows })
  }

  return (message) => {
    const reject = (code: ErrorCode, reason: string): Verdict => ({ ok: false, code, reason })
    if (message.value === null) return reject('EVENT_UNDECODABLE', 'tombstone: the message has no value')
    const schema = message.headers[HEADER_SCHEMA]
    const version = message.headers[HEADER_SCHEMA_VERSION]
    if (schema !== FEATURE_RECORD_SCHEMA.name || version !== String(FEATURE_RECORD_SCHEMA.version)) {
      return reject(
        'EVENT_UNKNOWN_SCHEMA',
        `expected schema ${FEATURE_RECORD_SCHEMA.name} v${FEATURE_RECORD_SCHEMA.version}, ` +
          `headers say ${schema ?? '(none)'} v${version ?? '(none)'}`,
      )
    }
    let json: unknown
    try {
      json = JSON.parse(message.value.toString('utf8'))
    } catch (err) {
      return reject('EVENT_UNDECODABLE', `value is not JSON: ${(err as Error).message}`)
    }
    const parsed = envelope.safeParse(json)
    if (!parsed.success) {
      return reject('EVENT_SCHEMA_INVALID', `not a feature record: ${z.prettifyError(parsed.error)}`)
    }
    const raw = parsed.data

    // Registry hook: once the registry lands, look the definition up by `${raw.view}:v${raw.version}` there.
    const owner = byTopic.get(message.topic)
    if (owner === undefined) return reject('FEATURE_SCHEMA_MISMATCH', `no view is sunk from ${message.topic}`)
    const { view } = owner
    const ref = `${raw.view}:v${raw.version}`
    if (ref !== view.ref) {
      return reject(
        'FEATURE_SCHEMA_MISMATCH',
        `record of ${ref} on ${message.topic}, the topic of ${view.ref}`,
      )
    }
    if (raw.entity === '') return reject('EVENT_SCHEMA_INVALID', 'entity is empty')
    if (!(raw.windowStart < raw.windowEnd && raw.eventTime <= raw.windowEnd)) {
      return reject(
        'EVENT_SCHEMA_INVALID',
        `window bounds out of order: start ${raw.windowStart}, end ${raw.windowEnd}, event time ${raw.eventTime}`,
      )
    }
    const id = featureRecordId(view.ref, raw.entity, raw.window, raw.windowStart, raw.windowEnd)
    if (raw.id !== id) return reject('EVENT_SCHEMA_INVALID', `id ${raw.id} is not the record's id ${id}`)

    const expected = owner.windows.get(raw.window)
    if (expected === undefined) {
      return reject(
        'FEATURE_SCHEMA_MISMATCH',
        `${view.ref} has no window ${raw.window} (windows: ${[...owner.windows.keys()].join(', ')})`,
      )
    }
    if (view.emit === 'final' && !raw.final) {
      return reject('FEATURE_SCHEMA_MISMATCH', `${view.ref} emits final records only, got a partial`)
    }
    const problems: string[] = []
    const unknown = Object.keys(raw.features).filter((name) => !expected.has(name))
    if (unknown.length > 0) problems.push(`unknown features ${unknown.join(', ')}`)
    const missing = [...expected].filter((name) => !Object.hasOwn(raw.features, name))
    if (missing.length > 0) problems.push(`missing features ${missing.join(', ')}`)
    for (const [name, value] of Object.entries(raw.features)) {
      if (value !== null && typeof value !== 'number') {
        problems.push(`${name} is ${JSON.stringify(value)}, expected a number or null`)
      }
    }
    if (problems.length > 0) {
      return reject('FEATURE_SCHEMA_MISMATCH', `${view.ref} window ${raw.window}: ${problems.join('; ')}`)
    }
    return { ok: true, record: raw as FeatureRecord }
  }
}
