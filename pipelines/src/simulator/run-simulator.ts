import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'
import { type EncodedEvent, encodeEvent } from '../events/codec.js'
import { carTelemetrySchema, rideEventSchema } from '../events/event-schema.js'
import type { KafkaBackbone, OutgoingRecord, RecordProducer } from '../kafka/kafka.js'
import { TOPICS } from '../topics/catalog.js'
import type { SimulatorOptions } from './options.js'
import { type SimEvent, Simulation } from './simulation.js'

/** Where the simulator is, reported through `onProgress`. */
export interface SimulatorProgress {
  /** Records acknowledged by Kafka so far. */
  produced: number
  /** Telemetry samples simulated so far (produced, or in the batch being sent). */
  telemetry: number
  /** Ride events simulated so far (produced, or in the batch being sent). */
  rideEvents: number
  /** Produced records per wall-clock second since the start. */
  eventsPerSec: number
  /** Simulated time reached; once the run returns, every event before it has been produced. */
  simulatedMs: number
  elapsedMs: number
}

export interface SimulatorSummary extends SimulatorProgress {
  fromMs: number
  aborted: boolean
  ridesRequested: number
  ridesCompleted: number
  ridesCancelled: number
  /** Telemetry dropouts simulated (each a car silent for 20–120 s). */
  telemetryDropouts: number
}

export interface RunSimulatorOptions extends Omit<SimulatorOptions, 'startMs'> {
  /**
   * `historical`: simulate `[startMs, startMs + durationMs)` as fast as Kafka takes it (training data, benchmarks).
   * `realtime`: event times follow the wall clock, one step per telemetry interval, until `durationMs` passes or
   * `signal` aborts.
   */
  mode: 'historical' | 'realtime'
  /** The Kafka backbone to produce through; the runner opens (and closes) its own producer on it. */
  kafka: KafkaBackbone
  /** Required in historical mode; realtime defaults to the wall clock at start. */
  startMs?: number
  /** Topic names; default the catalog's. Tests point runs at throwaway topics with this. */
  topics?: { telemetry?: string; rides?: string }
  /** Create the topics (with the catalog's specs) if missing. Default true. */
  ensureTopics?: boolean
  /** Most records per producer send. Default 5000. */
  batchSize?: number
  /**
   * A send is also cut at about this many bytes, so even if one partition got the whole batch it stays under the
   * broker's default 1 MB `max.message.bytes`. Default 900 000.
   */
  maxBatchBytes?: number
  signal?: AbortSignal
  onProgress?: (progress: SimulatorProgress) => void
  /** Minimum wall-clock time between `onProgress` calls. Default 2000 ms. */
  progressIntervalMs?: number
  /** Wall clock, for realtime pacing and rates only (never event times in historical mode). Default `Date.now`. */
  now?: () => number
}

/**
 * Runs the simulator into Kafka: telemetry to `car.telemetry.v1`, ride events to `ride.events.v1` (or the given
 * topics), each validated and keyed by its schema. One send is in flight at a time while the next batch is being
 * simulated, so per-key order in Kafka is the simulation's event-time order.
 *
 * @example
 * const kafka = createKafka({ brokers: ['127.0.0.1:19092'] })
 * const summary = await runSimulator({
 *   mode: 'historical', kafka, cars: 50, seed: 42,
 *   startMs: Date.now() - 7 * 86_400_000, durationMs: 7 * 86_400_000,
 *   onProgress: (p) => log.info(p, 'simulating'),
 * })
 */
export async function runSimulator(options: RunSimulatorOptions): Promise<SimulatorSummary> {
  const now = options.now ?? Date.now
  const { mode, kafka, signal } = options
  if (mode === 'historical' && (options.startMs === undefined || options.durationMs === undefined)) {
    throw new FreshetError('CONFIG_INVALID', 'historical mode needs startMs and durationMs')
  }
  const startMs = options.startMs ?? now()
  const sim = new Simulation({ ...options, startMs })
  const endMs = startMs + (options.durationMs ?? Number.POSITIVE_INFINITY)
  const topics = {
    telemetry: options.topics?.telemetry ?? TOPICS.telemetry.name,
    rides: options.topics?.rides ?? TOPICS.rides.name,
  }
  if (options.ensureTopics ?? true) {
    await kafka.ensureTopics([
      { ...TOPICS.telemetry, name: topics.telemetry },
      { ...TOPICS.rides, name: topics.rides },
    ])
  }

  const wallStart = now()
  const counts = { produced: 0, telemetry: 0, rideEvents: 0 }
  let lastReport = wallStart
  const progress = (): SimulatorProgress => {
    const elapsedMs = now() - wallStart
    return {
      ...counts,
      eventsPerSec: elapsedMs > 0 ? Math.round((counts.produced * 1000) / elapsedMs) : 0,
      simulatedMs: sim.clockMs,
      elapsedMs,
    }
  }
  const report = (force: boolean) => {
    if (options.onProgress === undefined) return
    const t = now()
    if (!force && t - lastReport < (options.progressIntervalMs ?? 2000)) return
    lastReport = t
    options.onProgress(progress())
  }

  const batchSize = options.batchSize ?? 5000
  const producer = await kafka.producer()
  const sender = new BatchSender(
    producer,
    { records: batchSize, bytes: options.maxBatchBytes ?? 900_000 },
    (records) => {
      counts.produced += records.length
      report(false)
    },
  )
  try {
    const encode = (e: SimEvent): OutgoingRecord => {
      if (e.kind === 'telemetry') {
        counts.telemetry++
        return withTopic(topics.telemetry, encodeEvent(carTelemetrySchema, e.event))
      }
      counts.rideEvents++
      return withTopic(topics.rides, encodeEvent(rideEventSchema, e.event))
    }
    // About one batch of simulated time per step, so memory stays flat however long the run is, and a realtime
    // run started in the past catches up in batches too.
    const stepMs = Math.max(
      1000,
      Math.round((batchSize / sim.options.cars) * sim.options.telemetryIntervalMs),
    )
    const tickMs = sim.options.telemetryIntervalMs
    while (sim.clockMs < endMs && signal?.aborted !== true) {
      const tickStart = now()
      const horizon = mode === 'historical' ? endMs : Math.min(endMs, tickStart)
      const target = Math.min(horizon, sim.clockMs + stepMs)
      for (const e of sim.step(target)) if (sender.add(encode(e))) await sender.ship()
      if (mode === 'realtime' && target >= horizon) {
        // Caught up with the wall clock: ship what this tick made, then wait for the next tick.
        await sender.ship()
        const wait = tickMs - (now() - tickStart)
        if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {})
      }
    }
    await sender.flush()
  } finally {
    await sender.settle()
    await producer.disconnect().catch(() => {})
  }
  report(true)
  const stats = sim.stats
  return {
    ...progress(),
    fromMs: startMs,
    aborted: signal?.aborted === true,
    ridesRequested: stats.requested,
    ridesCompleted: stats.completed,
    ridesCancelled: stats.cancelled,
    telemetryDropouts: stats.telemetryDropouts,
  }
}

function withTopic(topic: string, encoded: EncodedEvent): OutgoingRecord {
  return { topic, ...encoded }
}

/** Rough per-record overhead on the wire (headers, lengths, timestamp deltas) for the byte limit. */
const RECORD_OVERHEAD_BYTES = 80

/**
 * Batches records and keeps exactly one send in flight: `ship` waits for the previous send, then starts the
 * current batch and returns, so the caller simulates and encodes the next batch while Kafka acknowledges this
 * one. One at a time keeps per-partition order without relying on the client's in-flight ordering.
 */
class BatchSender {
  private batch: OutgoingRecord[] = []
  private bytes = 0
  private inFlight: Promise<void> = Promise.resolve()
  private failure: unknown

  constructor(
    private readonly producer: RecordProducer,
    private readonly limits: { records: number; bytes: number },
    private readonly onAcked: (records: readonly OutgoingRecord[]) => void,
  ) {}

  /** Adds a record; true when the batch is full and should be shipped. */
  add(record: OutgoingRecord): boolean {
    this.batch.push(record)
    this.bytes += (record.value?.length ?? 0) + (record.key?.length ?? 0) + RECORD_OVERHEAD_BYTES
    return this.batch.length >= this.limits.records || this.bytes >= this.limits.bytes
  }

  async ship(): Promise<void> {
    await this.settle()
    this.rethrow()
    if (this.batch.length === 0) return
    const records = this.batch
    this.batch = []
    this.bytes = 0
    this.inFlight = this.producer.send(records).then(
      () => this.onAcked(records),
      (err: unknown) => {
        this.failure = err
      },
    )
  }

  /** Ships what is left and waits until Kafka has acknowledged everything; rethrows a failed send. */
  async flush(): Promise<void> {
    await this.ship()
    await this.settle()
    this.rethrow()
  }

  /** Waits for the send in flight, never throwing (for cleanup paths). */
  async settle(): Promise<void> {
    await this.inFlight
  }

  private rethrow(): void {
    if (this.failure === undefined) return
    const err = this.failure
    this.failure = undefined
    throw err
  }
}
