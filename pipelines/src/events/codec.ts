import { FreshetError } from '@freshet/feature-store'
import { z } from 'zod'
import { type EventSchema, eventSchemas, schemaRef } from './event-schema.js'

export const HEADER_SCHEMA = 'freshet-schema'
export const HEADER_SCHEMA_VERSION = 'freshet-schema-version'
export const HEADER_CONTENT_TYPE = 'content-type'

/** A message ready for the producer: key, JSON bytes, schema headers and the event time as the Kafka timestamp. */
export interface EncodedEvent {
  key: string
  value: Buffer
  headers: Record<string, string>
  timestamp: number
}

/**
 * Validates and encodes one event. Producers validate too, so the simulator can never publish a bad event.
 *
 * @example
 * await producer.send([{ topic: TOPICS.telemetry.name, ...encodeEvent(carTelemetrySchema, sample) }])
 */
export function encodeEvent<T>(schema: EventSchema<T>, event: T): EncodedEvent {
  const parsed = schema.schema.safeParse(event)
  if (!parsed.success) {
    throw new FreshetError(
      'EVENT_SCHEMA_INVALID',
      `refusing to encode invalid ${schemaRef(schema.name, schema.version)}: ${z.prettifyError(parsed.error)}`,
    )
  }
  return {
    key: schema.key(parsed.data),
    value: Buffer.from(JSON.stringify(parsed.data)),
    headers: {
      [HEADER_SCHEMA]: schema.name,
      [HEADER_SCHEMA_VERSION]: String(schema.version),
      [HEADER_CONTENT_TYPE]: 'application/json',
    },
    timestamp: schema.eventTime(parsed.data),
  }
}

export interface RawMessage {
  value: Buffer | null
  headers: Readonly<Record<string, string | undefined>>
}

export type DecodeResult<T = unknown> =
  | { ok: true; schema: EventSchema<T>; event: T }
  | { ok: false; error: FreshetError; reason: string }

/**
 * Decodes a message by the schema its headers name. Never throws: a bad message is data for the dead-letter
 * topic, with a reason a human can act on.
 *
 * @example
 * const r = decodeEvent({ value, headers })
 * if (!r.ok) await deadLetter(message, r.reason)
 */
export function decodeEvent(
  message: RawMessage,
  schemas: ReadonlyMap<string, EventSchema> = eventSchemas,
): DecodeResult {
  const name = message.headers[HEADER_SCHEMA]
  const version = Number(message.headers[HEADER_SCHEMA_VERSION])
  const schema = name === undefined ? undefined : schemas.get(schemaRef(name, version))
  if (schema === undefined) {
    return fail(
      'EVENT_UNKNOWN_SCHEMA',
      `unknown schema ${name ?? '(no header)'}@${message.headers[HEADER_SCHEMA_VERSION] ?? '?'}`,
    )
  }
  if (message.value === null) return fail('EVENT_UNDECODABLE', 'message has no value (tombstone)')
  let json: unknown
  try {
    json = JSON.parse(message.value.toString('utf8'))
  } catch (cause) {
    return fail('EVENT_UNDECODABLE', `value is not JSON: ${(cause as Error).message}`, cause)
  }
  const parsed = schema.schema.safeParse(json)
  if (!parsed.success) {
    return fail(
      'EVENT_SCHEMA_INVALID',
      `${schemaRef(schema.name, schema.version)}: ${z.prettifyError(parsed.error)}`,
    )
  }
  return { ok: true, schema, event: parsed.data }
}

function fail(
  code: 'EVENT_UNKNOWN_SCHEMA' | 'EVENT_UNDECODABLE' | 'EVENT_SCHEMA_INVALID',
  reason: string,
  cause?: unknown,
) {
  return { ok: false as const, error: new FreshetError(code, reason, { cause }), reason }
}
