/**
 * Builds the AsyncAPI 3 description of Freshet's Kafka topics from the topic catalog and the zod event schemas,
 * so the document can never disagree with what producers validate. `npm run asyncapi` writes it to
 * docs/asyncapi.yaml; a test fails when the committed copy is stale.
 */

import { ERROR_CODES, FreshetError } from '@freshet/feature-store'
import { stringify } from 'yaml'
import { z } from 'zod'
import pkg from '../../package.json' with { type: 'json' }
import { HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from '../events/codec.js'
import type { EventSchema } from '../events/event-schema.js'
import { TOPICS, type TopicSpec, topicCatalog } from '../topics/catalog.js'

/** A JSON Schema (AsyncAPI's draft-07 superset) as a plain object. */
export type JsonSchema = Record<string, unknown>
type Ref = { $ref: string }

/** The generated document: plain JSON-compatible data, typed just enough for callers and tests to navigate. */
export interface AsyncApiDocument {
  asyncapi: '3.0.0'
  info: { title: string; version: string; description: string }
  defaultContentType: string
  servers: Record<string, { host: string; protocol: 'kafka'; description: string }>
  channels: Record<string, AsyncApiChannel>
  operations: Record<string, AsyncApiOperation>
  components: { messages: Record<string, AsyncApiMessage> }
}

export interface AsyncApiChannel {
  address: string
  description: string
  messages: Record<string, Ref>
  bindings: { kafka: Record<string, unknown> }
}

export interface AsyncApiOperation {
  action: 'send' | 'receive'
  channel: Ref
  summary: string
  messages: Ref[]
}

export interface AsyncApiMessage {
  name: string
  title: string
  summary: string
  contentType: string
  headers: JsonSchema
  payload: JsonSchema
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } }
}

/** Who writes to a topic; becomes a `send` operation. */
export interface ProducerSpec {
  /** Operation id in the document, e.g. `sendCarTelemetry`. */
  readonly operationId: string
  readonly topic: string
  readonly summary: string
}

export interface AsyncApiOptions {
  /** `info.version`. Default: the version of the pipelines package. */
  version?: string
  /** Bootstrap server of the `local` server entry. Default `127.0.0.1:19092`, the broker `npm run infra` starts. */
  brokerHost?: string
  /** Producers to document. Default: the simulator sends telemetry and rides, the pipelines dead letters and alerts (each only if its topic is in the catalog). */
  producers?: readonly ProducerSpec[]
}

const KAFKA_BINDING_VERSION = '0.5.0'
const DEAD_LETTER_MESSAGE_ID = 'dead_letter'

// The dead-letter writer sets these; documented here until it exports the names.
const DLQ_HEADERS = {
  'freshet-dlq-reason': {
    type: 'string',
    description: 'Why no pipeline could process the message, for humans.',
  },
  'freshet-dlq-error-code': {
    type: 'string',
    enum: [...ERROR_CODES],
    description: 'FreshetError code of the failure (EVENT_SCHEMA_INVALID, EVENT_UNDECODABLE, ...).',
  },
  'freshet-dlq-source-topic': { type: 'string', description: 'Topic the message was read from.' },
  'freshet-dlq-source-partition': {
    type: 'string',
    pattern: '^[0-9]+$',
    description: 'Partition it was read from (decimal).',
  },
  'freshet-dlq-source-offset': {
    type: 'string',
    pattern: '^[0-9]+$',
    description: 'Offset it was read from (decimal); with topic and partition, points back at the original.',
  },
} as const

const DEFAULT_PRODUCERS: readonly ProducerSpec[] = [
  {
    operationId: 'sendCarTelemetry',
    topic: TOPICS.telemetry.name,
    summary: 'The simulator publishes one telemetry sample per car per second, keyed by car id.',
  },
  {
    operationId: 'sendRideEvents',
    topic: TOPICS.rides.name,
    summary:
      'The simulator publishes the ride lifecycle (requested, assigned, picked up, completed, cancelled).',
  },
  {
    operationId: 'sendDeadLetters',
    topic: TOPICS.deadLetter.name,
    summary: 'The pipelines forward every message they cannot decode or process, with its original bytes.',
  },
  {
    operationId: 'sendAlerts',
    topic: TOPICS.alerts.name,
    summary:
      'The feature engine publishes the fired and resolved alerts of its absence patterns, exactly once, keyed ' +
      'by entity key.',
  },
]

/**
 * Builds the AsyncAPI 3.0.0 document of a topic catalog: one channel per topic, one message per value schema
 * (payload generated from the zod schema), `send` operations for the producers.
 *
 * @example
 * const doc = buildAsyncApiDocument()
 * doc.channels['car.telemetry.v1']?.bindings.kafka.partitions // 6
 */
export function buildAsyncApiDocument(
  catalog: readonly TopicSpec[] = topicCatalog,
  options: AsyncApiOptions = {},
): AsyncApiDocument {
  const channels: Record<string, AsyncApiChannel> = {}
  const messages: Record<string, AsyncApiMessage> = {}
  for (const topic of catalog) {
    const messageId = topic.valueSchema ? messageIdOf(topic.valueSchema) : DEAD_LETTER_MESSAGE_ID
    const message = topic.valueSchema ? eventMessage(topic.valueSchema, topic) : deadLetterMessage(topic)
    const existing = messages[messageId]
    // Messages are shared components, so the key binding must hold for every topic carrying the message.
    if (existing && existing.bindings.kafka.key.description !== message.bindings.kafka.key.description) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `message ${messageId} is keyed differently on ${topic.name}; one schema must be keyed one way`,
      )
    }
    messages[messageId] = message
    channels[topic.name] = {
      address: topic.name,
      description: topic.description,
      messages: { [messageId]: { $ref: `#/components/messages/${messageId}` } },
      bindings: { kafka: channelBinding(topic) },
    }
  }

  const operations: Record<string, AsyncApiOperation> = {}
  const producers =
    options.producers ?? DEFAULT_PRODUCERS.filter((p) => catalog.some((t) => t.name === p.topic))
  for (const producer of producers) {
    const channel = channels[producer.topic]
    if (!channel) {
      throw new FreshetError('CONFIG_INVALID', `producer ${producer.operationId}: no topic ${producer.topic}`)
    }
    operations[producer.operationId] = {
      action: 'send',
      channel: { $ref: `#/channels/${producer.topic}` },
      summary: producer.summary,
      // AsyncAPI 3 requires operation messages to point into the channel's own message map.
      messages: Object.keys(channel.messages).map((id) => ({
        $ref: `#/channels/${producer.topic}/messages/${id}`,
      })),
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Freshet',
      version: options.version ?? pkg.version,
      description:
        'Kafka topics of Freshet, a real-time ML feature pipeline for an autonomous-car ride business. ' +
        'Every value carries its schema name and version in headers, so consumers never guess. ' +
        'Generated from pipelines/src/topics/catalog.ts by `npm run asyncapi`; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: options.brokerHost ?? '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'Local single-node broker started by `npm run infra` (PLAINTEXT, no auth).',
      },
    },
    channels,
    operations,
    components: { messages },
  }
}

/**
 * Serialises the document as YAML (with a do-not-edit header) or JSON; the CLI and the staleness test share it.
 *
 * @example
 * await writeFile('docs/asyncapi.yaml', renderAsyncApi(buildAsyncApiDocument(), 'yaml'))
 */
export function renderAsyncApi(doc: AsyncApiDocument, format: 'yaml' | 'json' = 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`
  const header =
    '# Generated by `npm run asyncapi` from pipelines/src/topics/catalog.ts. Do not edit by hand.\n'
  // No anchors/aliases: readers and diff reviewers should see every schema in full.
  return header + stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 })
}

function messageIdOf(schema: EventSchema): string {
  return `${schema.name}.v${schema.version}`
}

function eventMessage(schema: EventSchema, topic: TopicSpec): AsyncApiMessage {
  return {
    name: schema.name,
    title: `${schema.name} v${schema.version}`,
    summary: schema.description,
    contentType: 'application/json',
    headers: {
      type: 'object',
      required: [HEADER_SCHEMA, HEADER_SCHEMA_VERSION, HEADER_CONTENT_TYPE],
      properties: {
        [HEADER_SCHEMA]: {
          type: 'string',
          const: schema.name,
          description: 'Schema name; consumers pick the decoder by it.',
        },
        [HEADER_SCHEMA_VERSION]: {
          type: 'string',
          const: String(schema.version),
          description: 'Schema version (decimal string).',
        },
        [HEADER_CONTENT_TYPE]: { type: 'string', const: 'application/json' },
      },
    },
    payload: payloadSchema(schema),
    bindings: { kafka: { key: keySchema(topic), bindingVersion: KAFKA_BINDING_VERSION } },
  }
}

function deadLetterMessage(topic: TopicSpec): AsyncApiMessage {
  return {
    name: DEAD_LETTER_MESSAGE_ID,
    title: 'Dead letter',
    summary:
      'A message no pipeline could process, forwarded unchanged: original key, value bytes and headers, ' +
      'plus freshet-dlq-* headers saying why and where it came from.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: Object.keys(DLQ_HEADERS),
      properties: DLQ_HEADERS,
      // The original headers (freshet-schema, content-type, ...) travel along when the message had them.
      additionalProperties: { type: 'string' },
    },
    payload: {
      type: 'string',
      format: 'binary',
      description: 'The original message value, byte for byte (not necessarily JSON, maybe not UTF-8).',
    },
    bindings: { kafka: { key: keySchema(topic), bindingVersion: KAFKA_BINDING_VERSION } },
  }
}

function keySchema(topic: TopicSpec): JsonSchema {
  return { type: 'string', description: topic.key }
}

function payloadSchema(schema: EventSchema): JsonSchema {
  // draft-7: AsyncAPI's default schema format is a superset of JSON Schema draft-07, not 2020-12.
  const { $schema: _, ...json } = z.toJSONSchema(schema.schema, { target: 'draft-7' }) as JsonSchema
  // A `#/definitions/...` ref would resolve against the AsyncAPI document root once embedded, so refuse it.
  if (JSON.stringify(json).includes('"$ref"')) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `schema ${messageIdOf(schema)} produced a JSON Schema with $ref (reused or recursive part); inline it`,
    )
  }
  return json
}

function channelBinding(topic: TopicSpec): Record<string, unknown> {
  const extra = Object.fromEntries(Object.entries(topic.config ?? {}).map(([k, v]) => [k, typedConfig(v)]))
  return {
    topic: topic.name,
    partitions: topic.partitions,
    topicConfiguration: {
      ...extra,
      'cleanup.policy': topic.cleanupPolicy.split(','),
      'retention.ms': topic.retentionMs,
    },
    bindingVersion: KAFKA_BINDING_VERSION,
  }
}

/** Kafka takes topic configs as strings; the binding schema wants numbers and booleans typed. */
function typedConfig(value: string): string | number | boolean {
  if (/^-?[0-9]+$/.test(value)) return Number(value)
  if (value === 'true' || value === 'false') return value === 'true'
  return value
}
