import { createHash, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'
import {
  carTelemetrySchema,
  encodeEvent,
  type KafkaBackbone,
  type OutgoingRecord,
  simulate,
  TOPICS,
  type TopicSpec,
} from '../src/index.js'

export interface PrefillOptions {
  kafka: KafkaBackbone
  /** Telemetry events the topic must hold. */
  events: number
  /** Fleet size: the simulator's cars are the topic's keys. */
  cars: number
  seed: number
  /**
   * Keep the topic after the run and reuse it when it already holds exactly `events` records. The name carries
   * what shapes the content (events, cars, seed, and a fingerprint of the first samples, which changes with the
   * simulator and the day), so a reused topic holds what a fresh prefill would write.
   */
  reuse: boolean
  log: (message: string) => void
}

export interface PrefilledTopic {
  name: string
  partitions: number
  events: number
  reused: boolean
  /** Producer throughput of the prefill; undefined when the topic was reused. */
  eventsPerS: number | undefined
  /** Deletes the topic unless it is kept for reuse. */
  drop(): Promise<void>
}

/**
 * Yesterday 07:00 in the city (it keeps UTC): morning rush, so cars drive, charge and idle. Recent, because
 * Kafka deletes by record time: the engine's internal topics (7-day retention, event-time timestamps) would
 * lose older history while the bench reads it. Fixed for a day, so a reused topic stays valid that long.
 */
const now = new Date()
const START_MS = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 7, 0)
/** 10k records of ~300 B spread over 6 partitions stay well under the broker's 1 MB per partition batch. */
const BATCH_RECORDS = 10_000

/**
 * A topic shaped like car.telemetry.v1 (6 partitions, keyed by car) holding `events` schema-valid telemetry
 * samples from the simulator, produced pre-encoded in large batches by an idempotent producer.
 *
 * @example
 * const topic = await prefillTelemetry({ kafka, events: 1_000_000, cars: 1000, seed: 7, reuse: false, log })
 * try { … } finally { await topic.drop() }
 */
export async function prefillTelemetry(options: PrefillOptions): Promise<PrefilledTopic> {
  const { kafka, events, reuse, log } = options
  const name = reuse
    ? `bench.pipeline.telemetry.e${events}.c${options.cars}.s${options.seed}.${fingerprint(options)}`
    : `bench.pipeline.telemetry.${randomUUID().slice(0, 8)}`
  const spec: TopicSpec = { ...TOPICS.telemetry, name, description: 'pipeline bench input' }
  const drop = async () => {
    if (!reuse) await kafka.deleteTopics([name])
  }
  const { existing } = await kafka.ensureTopics([spec])
  if (existing.length > 0) {
    // An idempotent, non-transactional producer gives every record exactly one offset: a topic whose end offsets
    // add up to `events` holds the whole prefill, anything else is an interrupted or concurrent one.
    const held = await heldRecords(kafka, name)
    if (held === events) {
      log(`reusing ${name} (${held} events)`)
      return { name, partitions: spec.partitions, events, reused: true, eventsPerS: undefined, drop }
    }
    log(`${name} holds ${held} of ${events} events: recreating it`)
    await recreate(kafka, spec)
  }
  try {
    const eventsPerS = await produce(options, name)
    return { name, partitions: spec.partitions, events, reused: false, eventsPerS, drop }
  } catch (err) {
    await kafka.deleteTopics([name]).catch(() => {})
    throw err
  }
}

function* telemetry({ cars, seed }: { cars: number; seed: number }) {
  for (const e of simulate({ startMs: START_MS, cars, seed })) {
    if (e.kind === 'telemetry') yield encodeEvent(carTelemetrySchema, e.event)
  }
}

/** Hash of the first samples a prefill would write: 8 hex digits that change whenever the simulator does. */
function fingerprint(options: { cars: number; seed: number }): string {
  const hash = createHash('sha256')
  let n = 0
  for (const encoded of telemetry(options)) {
    hash.update(encoded.key).update(encoded.value)
    if (++n >= 5000) break
  }
  return hash.digest('hex').slice(0, 8)
}

async function produce({ kafka, events, cars, seed, log }: PrefillOptions, topic: string): Promise<number> {
  const producer = await kafka.producer({ idempotent: true })
  const started = performance.now()
  let produced = 0
  let inFlight: Promise<void> = Promise.resolve()
  try {
    let batch: OutgoingRecord[] = []
    // One send in flight while the next batch is simulated and encoded: per-car order in Kafka stays event order.
    const ship = async () => {
      await inFlight
      const records = batch
      batch = []
      inFlight = producer.send(records).then(() => {
        produced += records.length
      })
    }
    let lastLog = started
    let made = 0
    for (const encoded of telemetry({ cars, seed })) {
      batch.push({ topic, ...encoded })
      if (++made >= events) break
      if (batch.length >= BATCH_RECORDS) {
        await ship()
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now()
          log(`prefill: ${produced} of ${events} events`)
        }
      }
    }
    await ship()
    await inFlight
  } finally {
    await inFlight.catch(() => {})
    await producer.disconnect().catch(() => {})
  }
  const held = await heldRecords(kafka, topic)
  if (held !== events) {
    throw new FreshetError('INTERNAL', `prefill of ${topic} left ${held} records, expected ${events}`)
  }
  const eventsPerS = Math.round((events * 1000) / (performance.now() - started))
  log(`prefilled ${topic}: ${events} events from ${cars} cars at ${eventsPerS} events/s`)
  return eventsPerS
}

async function heldRecords(kafka: KafkaBackbone, topic: string): Promise<number> {
  const ends = await kafka.endOffsets(topic)
  return ends.reduce((n, e) => n + Number(e.offset), 0)
}

/** Deletion is asynchronous in Kafka: wait until the name is free before creating the topic again. */
async function recreate(kafka: KafkaBackbone, spec: TopicSpec): Promise<void> {
  await kafka.deleteTopics([spec.name])
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline) {
    const created = await kafka.ensureTopics([spec]).catch(() => ({ created: [] as string[] }))
    if (created.created.length > 0) return
    await sleep(500)
  }
  throw new FreshetError('INTERNAL', `could not recreate ${spec.name} within 60 s of deleting it`)
}
