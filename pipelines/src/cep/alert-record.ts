import { z } from 'zod'
import { encodeEvent } from '../events/codec.js'
import type { EventSchema } from '../events/event-schema.js'

/** The name and version the alert record travels under (`freshet-schema` headers). */
export const ALERT_RECORD_SCHEMA = { name: 'alert_record', version: 1 } as const

// Described members keep zod from collapsing the unions into JSON Schema type arrays, which strict draft-07
// validators (and some AsyncAPI tools) reject.
const text = z.string().describe('text')
const number = z.number().describe('number')
const flag = z.boolean().describe('flag')
const none = z.null().describe('no value')

/**
 * What a pattern tells about the event behind an alert: scalars, or one level of records of scalars (a position).
 * Kept flat and small on purpose: an alert points at the entity; the full history is on the input topic.
 *
 * @example
 * alertContextV1.parse({ status: 'on_trip', zoneId: 'z-docks', position: { lat: 52.5, lon: 13.4 } })
 */
export const alertContextV1 = z
  .record(
    z.string(),
    z.union([text, number, flag, none, z.record(z.string(), z.union([text, number, flag, none]))]),
  )
  .describe('Fields the pattern picked from the event behind the alert (status, zone, position, ...)')

export type AlertContext = z.infer<typeof alertContextV1>

const id = z
  .string()
  .describe('Deterministic: pattern ref, key, last-seen time and kind. Consumers deduplicate on it.')
const pattern = z.string().describe('Pattern name, e.g. car_telemetry_gap')
const version = z.number().int().positive().describe('Pattern version')
const entity = z.string().describe('What the key identifies, e.g. car')
const key = z.string().describe('Entity key, e.g. car-0001; also the Kafka message key')
const lastSeenAt = z.number().int().describe('Event time of the last event seen before the gap (epoch ms)')
const watermark = z
  .number()
  .int()
  .describe('Partition watermark when the alert was produced (describes the run, not the gap)')
const processedAt = z
  .number()
  .int()
  .optional()
  .describe('Wall-clock time the runtime published the alert (the only non-deterministic field)')

/**
 * A synthetic alert event of an absence pattern, schema `alert_record` v1, published on `freshet.alerts.v1`.
 *
 * - `fired`: the key's latest event satisfied the pattern's condition and nothing newer arrived before the
 *   watermark reached `lastSeenAt + timeout`; `eventTime` is that deadline.
 * - `resolved`: a newer event arrived for a fired key; `eventTime` is that event's time and `gapMs` how long
 *   the key was silent (`eventTime - lastSeenAt`).
 *
 * Like feature records, everything but `watermark` and `processedAt` is a pure function of the input events,
 * so live, replayed and offline runs agree on it.
 *
 * @example
 * const alert = alertRecordV1.parse(JSON.parse(message.value.toString()))
 * if (alert.kind === 'resolved') console.log(`${alert.key} silent for ${alert.gapMs / 1000} s`)
 */
export const alertRecordV1 = z
  .discriminatedUnion('kind', [
    z.strictObject({
      id,
      pattern,
      version,
      entity,
      key,
      kind: z.literal('fired'),
      lastSeenAt,
      eventTime: z.number().int().describe('When the silence became an alert: lastSeenAt + timeout'),
      watermark,
      context: alertContextV1,
      processedAt,
    }),
    z.strictObject({
      id,
      pattern,
      version,
      entity,
      key,
      kind: z.literal('resolved'),
      lastSeenAt,
      eventTime: z.number().int().describe('Event time of the event that ended the silence'),
      gapMs: z.number().int().positive().describe('How long the key was silent: eventTime - lastSeenAt'),
      watermark,
      context: alertContextV1,
      processedAt,
    }),
  ])
  .describe('Absence alert (schema alert_record v1)')

export type AlertRecord = z.infer<typeof alertRecordV1>
export type AlertKind = AlertRecord['kind']

/**
 * The id of an alert: `car_telemetry_gap:v1:car-0001:1764000000000:fired`. A key fires at most once per
 * last-seen event and resolves at most once per fire, so the id is unique and the same in every run.
 *
 * @example
 * alertRecordId('car_telemetry_gap:v1', 'car-0001', 1_764_000_000_000, 'resolved')
 */
export function alertRecordId(patternRef: string, key: string, lastSeenAt: number, kind: AlertKind): string {
  return `${patternRef}:${key}:${lastSeenAt}:${kind}`
}

/**
 * `alert_record` v1 as an event schema: keyed by the entity key (so a car's alerts stay ordered, on the same
 * partition number as its telemetry), event time = the alert's event time. The topic catalog and the AsyncAPI
 * document take the alerts topic's value schema from here.
 *
 * @example
 * const r = decodeEvent(message, new Map([['alert_record@1', alertRecordSchema]]))
 */
export const alertRecordSchema: EventSchema<AlertRecord> = {
  name: ALERT_RECORD_SCHEMA.name,
  version: ALERT_RECORD_SCHEMA.version,
  description:
    'Absence alerts: an entity that stopped reporting while a condition held (fired), and its return (resolved).',
  schema: alertRecordV1,
  key: (a) => a.key,
  eventTime: (a) => a.eventTime,
}

/**
 * The Kafka message of an alert: keyed by the entity key, event time as timestamp, `freshet-schema` headers
 * (`alert_record` / `1`, JSON). Validates like every producer does, so a pattern whose `context` returns
 * something unserialisable fails with EVENT_SCHEMA_INVALID instead of publishing it.
 *
 * @example
 * await tx.send(alerts.map((a) => alertRecordMessage(TOPICS.alerts.name, a, Date.now())))
 */
export function alertRecordMessage(topic: string, alert: AlertRecord, processedAt: number) {
  return { topic, ...encodeEvent(alertRecordSchema, { ...alert, processedAt }) }
}
