import { type AnyFeatureView, FreshetError, isFreshetError } from '@freshet/feature-store'
import { encodeEvent, HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from '../events/codec.js'
import { carTelemetrySchema, type EventSchema, rideEventSchema, schemaRef } from '../events/event-schema.js'
import type { ConsumedRecord } from '../kafka/kafka.js'
import type { SimEvent } from '../simulator/simulation.js'
import { partitionForKey } from './murmur2.js'

/**
 * An application object and the schema it follows. The driver encodes it as the producers do
 * (`encodeEvent`). An object that fails its schema is written anyway, as JSON with the schema's headers,
 * the way a producer that skips validation would, so it reaches the engine's dead-letter path instead of
 * stopping the run.
 */
export interface DecodedInput {
  /** The schema itself, its name (`car_telemetry`) or its ref (`car_telemetry@1`). */
  schema: EventSchema | string
  event: unknown
  /** Default: the one topic the given views read this schema from. */
  topic?: string
}

/** A record exactly as it would sit in Kafka, bytes as given: for poison messages and odd headers. */
export interface RawInput {
  topic: string
  key: string | null
  value: Buffer | string | null
  headers?: Readonly<Record<string, string>>
  /** Kafka record timestamp; default -1 (Kafka's "none"). The engine uses event time, never this. */
  timestamp?: number
  /** Explicit partition, as a producer may set one; default by key. */
  partition?: number
}

/** One input of the test driver: a decoded event or a raw record. */
export type DriverInput = DecodedInput | RawInput

/** An input as a consumer would fetch it, with the index of the input it came from. */
export interface PlacedRecord {
  input: number
  record: ConsumedRecord
}

/**
 * Turns simulator output into driver inputs, e.g. `runTestDriver({ views, events: fromSimulation(simulate(o)) })`.
 *
 * @example
 * const events = [...fromSimulation(simulate({ seed: 1, cars: 10, startMs, durationMs: 30 * 60_000 }))]
 */
export function* fromSimulation(events: Iterable<SimEvent>): Generator<DecodedInput> {
  for (const e of events) {
    yield { schema: e.kind === 'telemetry' ? carTelemetrySchema : rideEventSchema, event: e.event }
  }
}

/**
 * Assigns topics, partitions and offsets to inputs the way producers and brokers would: keyed records by
 * Kafka's murmur2 partitioner, key-less ones round-robin from partition 0 (kafkajs starts at a random
 * partition; a test driver must not), offsets counting from 0 per partition in input order.
 */
export class RecordPlacer {
  private readonly views: readonly Pick<AnyFeatureView, 'source'>[]
  private readonly schemas: ReadonlyMap<string, EventSchema>
  private readonly partitionsOf: (topic: string) => number
  private readonly nextOffset = new Map<string, number>()
  private readonly roundRobin = new Map<string, number>()

  constructor(options: {
    /** Views (and patterns): their source topics are the topics that get placed. */
    views: readonly Pick<AnyFeatureView, 'source'>[]
    schemas: ReadonlyMap<string, EventSchema>
    partitionsOf: (topic: string) => number
  }) {
    this.views = options.views
    this.schemas = options.schemas
    this.partitionsOf = options.partitionsOf
  }

  /** The record for input `index`, or undefined when no view reads its topic (the input is ignored). */
  place(input: DriverInput, index: number): PlacedRecord | undefined {
    const message = 'event' in input ? this.encode(input) : raw(input)
    if (message === undefined || !this.views.some((v) => v.source.topic === message.topic)) return undefined
    const partitions = this.partitionsOf(message.topic)
    const partition = message.partition ?? this.partitionFor(message.topic, message.key, partitions)
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `input ${index}: partition ${partition} does not exist (topic ${message.topic} has ${partitions})`,
      )
    }
    const slot = `${message.topic}/${partition}`
    const offset = this.nextOffset.get(slot) ?? 0
    this.nextOffset.set(slot, offset + 1)
    return {
      input: index,
      record: {
        topic: message.topic,
        partition,
        offset: String(offset),
        key: message.key === null ? null : Buffer.from(message.key, 'utf8'),
        value: message.value,
        headers: message.headers,
        timestamp: message.timestamp,
      },
    }
  }

  private partitionFor(topic: string, key: string | null, partitions: number): number {
    if (key !== null) return partitionForKey(key, partitions)
    const next = this.roundRobin.get(topic) ?? 0
    this.roundRobin.set(topic, next + 1)
    return next % partitions
  }

  private encode(input: DecodedInput): Message | undefined {
    const schema = this.resolveSchema(input.schema)
    const topic = input.topic ?? this.topicOf(schema)
    if (topic === undefined) return undefined
    return { topic, partition: undefined, ...encodeLikeProducer(schema, input.event) }
  }

  private resolveSchema(schema: EventSchema | string): EventSchema {
    if (typeof schema !== 'string') return schema
    const byRef = this.schemas.get(schema)
    if (byRef) return byRef
    const named = [...this.schemas.values()].filter((s) => s.name === schema)
    // A bare name means the version the views read, else the only version there is.
    const read = named.filter((s) => this.views.some((v) => sameSchema(v.source.schema, s)))
    const match = read.length === 1 ? read[0] : named.length === 1 ? named[0] : undefined
    if (match) return match
    throw new FreshetError(
      'CONFIG_INVALID',
      `schema '${schema}' is ${named.length === 0 ? 'unknown' : 'ambiguous'}; known: ${[...this.schemas.keys()].join(', ')}`,
    )
  }

  private topicOf(schema: EventSchema): string | undefined {
    const topics = [
      ...new Set(this.views.filter((v) => sameSchema(v.source.schema, schema)).map((v) => v.source.topic)),
    ]
    if (topics.length > 1) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `views read ${schemaRef(schema.name, schema.version)} from ${topics.join(' and ')}: give the input a topic`,
      )
    }
    return topics[0]
  }
}

/** A record before placement; `partition` only when the input chose one. */
interface Message {
  topic: string
  key: string | null
  value: Buffer | null
  headers: Record<string, string>
  timestamp: number
  partition: number | undefined
}

function raw(input: RawInput): Message {
  return {
    topic: input.topic,
    key: input.key,
    value: typeof input.value === 'string' ? Buffer.from(input.value, 'utf8') : input.value,
    headers: { ...input.headers },
    timestamp: input.timestamp ?? -1,
    partition: input.partition,
  }
}

/** `encodeEvent`, except that an invalid event is still written (see `DecodedInput`). */
function encodeLikeProducer(schema: EventSchema, event: unknown): Omit<Message, 'topic' | 'partition'> {
  try {
    return encodeEvent(schema, event)
  } catch (err) {
    if (!isFreshetError(err) || err.code !== 'EVENT_SCHEMA_INVALID') throw err
  }
  return {
    key: attempt(() => schema.key(event)) ?? null,
    value: Buffer.from(JSON.stringify(event) ?? 'null'),
    headers: {
      [HEADER_SCHEMA]: schema.name,
      [HEADER_SCHEMA_VERSION]: String(schema.version),
      [HEADER_CONTENT_TYPE]: 'application/json',
    },
    timestamp: attempt(() => schema.eventTime(event)) ?? -1,
  }
}

/** Key or event time of an invalid event when it has one (a missing field must not crash the driver). */
function attempt<T extends string | number>(read: () => T): T | undefined {
  try {
    const value: unknown = read()
    return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
      ? (value as T)
      : undefined
  } catch {
    return undefined
  }
}

function sameSchema(a: { name: string; version: number }, b: { name: string; version: number }): boolean {
  return a.name === b.name && a.version === b.version
}
