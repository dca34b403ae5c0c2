import { alertRecordSchema } from '../cep/alert-record.js'
import { carTelemetrySchema, type EventSchema, rideEventSchema } from '../events/event-schema.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** Everything an operator needs to know about a topic; the admin step creates it, AsyncAPI documents it. */
export interface TopicSpec {
  readonly name: string
  readonly description: string
  readonly partitions: number
  /**
   * Long enough that backfills can replay history. Kafka deletes by the record timestamps (event time here), so a
   * simulator writing history further back than this would see it deleted at once.
   */
  readonly retentionMs: number
  readonly cleanupPolicy: 'delete' | 'compact' | 'compact,delete'
  /** What the message key is, in words (also used by the AsyncAPI document). */
  readonly key: string
  /** Value schema; absent for topics that carry foreign bytes (the dead-letter topic keeps originals). */
  readonly valueSchema?: EventSchema
  /** Other topic-level configs, passed through to Kafka as they are. */
  readonly config?: Readonly<Record<string, string>>
}

/**
 * The topic catalog. Names carry the schema version so a breaking change becomes a new topic, not a surprise.
 *
 * @example
 * await kafka.ensureTopics(topicCatalog)
 */
export const TOPICS = {
  telemetry: {
    name: 'car.telemetry.v1',
    description: 'Car telemetry samples, about one per car per second.',
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'car id (car-0001): all samples of a car are ordered',
    valueSchema: carTelemetrySchema,
  },
  rides: {
    name: 'ride.events.v1',
    description: 'Ride lifecycle events from the dispatch system.',
    partitions: 6,
    retentionMs: 90 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'car id once a car is assigned, otherwise ride id',
    valueSchema: rideEventSchema,
  },
  deadLetter: {
    name: 'freshet.dead-letter.v1',
    description:
      'Messages no pipeline could process: original key, bytes and headers, plus freshet-dlq-* headers with the ' +
      'reason, error code and source topic/partition/offset.',
    partitions: 3,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'the original message key',
  },
  lateEvents: {
    name: 'freshet.late-events.v1',
    description:
      'Events that arrived after every window they belong to had closed (watermark beyond window end + grace): ' +
      'original key, bytes and headers, plus freshet-late-* headers naming the view, windows and watermark.',
    partitions: 3,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'the original message key',
  },
  alerts: {
    name: 'freshet.alerts.v1',
    description:
      'Synthetic alert events of the complex-event patterns (e.g. car_telemetry_gap: no telemetry for 30 s from a ' +
      'car on a trip): fired when the silence passes the timeout, resolved when the entity reports again.',
    // As many partitions as the car topics, so a car's alerts land on the same partition number as its events.
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'entity key (car-0001): all alerts of an entity are ordered',
    valueSchema: alertRecordSchema,
  },
} as const satisfies Record<string, TopicSpec>

/**
 * The feature topic of a view version: synthetic feature events keyed by entity. Retained like the inputs so sinks
 * can rebuild the stores by replaying it.
 */
export function featureTopicSpec(name: string): TopicSpec {
  return {
    name,
    description: `Feature records (${name}), one per entity window, exactly once.`,
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'entity id (car-0001, z-downtown)',
  }
}

export const topicCatalog: readonly TopicSpec[] = Object.values(TOPICS)
