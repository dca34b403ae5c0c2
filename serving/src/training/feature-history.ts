import { type AnyFeatureView, FreshetError } from '@freshet/feature-store'
import {
  type FeatureRecord,
  fromSimulation,
  type RideCompleted,
  runTestDriver,
  type SimEvent,
  Simulation,
  type SimulatorOptions,
  TOPICS,
} from '@freshet/pipelines'

export interface FeatureHistoryOptions {
  /** The simulated city: seed, fleet size, start. `durationMs` is required here. */
  simulation: SimulatorOptions & { durationMs: number }
  /** Views whose final records make up the history; tumbling or hopping windows only. */
  views: readonly AnyFeatureView[]
  /** Event time covered by one test-driver run. Default 1 h: bounds memory whatever the history's length. */
  chunkMs?: number
  /**
   * Event time one `process()` call covers, like one consumer fetch of a partition. Default 2 s: a live engine
   * fetches as events arrive, so a window is published within seconds of closing (see `featureHistory`).
   */
  fetchMs?: number
}

/** One chunk of history: the final records of windows ending in (from, to], and the rides completed in [from, to). */
export interface HistoryChunk {
  from: number
  to: number
  records: FeatureRecord[]
  rides: RideCompleted[]
  /** Simulated events fed to the driver for this chunk (warm-up and tail included). */
  events: number
}

const HOUR_MS = 3_600_000

/**
 * Simulates a city and computes its feature history with the engine's own code (the offline test driver,
 * whose records equal the live runtime's), chunk by chunk so hours of a large fleet fit in memory.
 *
 * Each chunk [from, to) is driven over the events of [from − longest window, to + grace + 1 min): every window
 * ending in (from, to] then holds all of its events and closes on a real watermark, so its final record is the
 * one a single run over the whole history gives (checked in feature-history.test.ts). Windows ending after the
 * history's end are left out (the simulation stops there, they would be cut short). Only final records are
 * kept: the offline store keeps nothing else.
 *
 * Small fetches (`fetchMs`) keep `watermark` (hence the offline store's `available_at`) close to what a live
 * engine, fetching as events arrive, would record: a window becomes servable seconds after end + grace.
 *
 * @example
 * for (const chunk of featureHistory({ simulation: { seed: 1, cars: 100, startMs, durationMs: 6 * HOUR_MS }, views })) {
 *   await writer.write(chunk.records)
 * }
 */
export function* featureHistory(options: FeatureHistoryOptions): Generator<HistoryChunk> {
  const { simulation, views, chunkMs = HOUR_MS, fetchMs = 2000 } = options
  if (!(chunkMs >= 60_000)) throw new FreshetError('CONFIG_INVALID', 'chunkMs must be at least one minute')
  const warmupMs = Math.max(...views.flatMap((v) => v.windows.map((w) => windowSizeMs(v, w))))
  const tailMs = Math.max(...views.map((v) => v.graceMs)) + 60_000
  // Telemetry dominates: ~1 sample per car per second, spread over the topic's partitions.
  const batchSize = Math.max(
    1,
    Math.ceil(((simulation.cars ?? 50) * fetchMs) / 1000 / TOPICS.telemetry.partitions),
  )
  const startMs = simulation.startMs
  const endMs = startMs + simulation.durationMs
  // Simulate past the end, so the last windows close on real events like every other.
  const sim = new Simulation({ ...simulation, durationMs: simulation.durationMs + tailMs })
  let buffer: SimEvent[] = []
  for (let from = startMs; from < endMs; from += chunkMs) {
    const to = Math.min(from + chunkMs, endMs)
    for (const e of sim.step(to + tailMs)) buffer.push(e)
    const input = buffer.filter((e) => e.event.ts >= from - warmupMs)
    const { features, deadLetters } = runTestDriver({ views, events: fromSimulation(input), batchSize })
    if (deadLetters.length > 0) {
      // The simulator only emits valid events: a dead letter here is a schema/simulator mismatch.
      throw new FreshetError('INTERNAL', `simulated events were dead-lettered: ${deadLetters[0]!.reason}`)
    }
    const records = features.filter((r) => r.final && r.windowEnd > from && r.windowEnd <= to)
    const rides = input.flatMap((e) =>
      e.kind === 'ride' && e.event.type === 'ride_completed' && e.event.ts >= from && e.event.ts < to
        ? [e.event]
        : [],
    )
    yield { from, to, records, rides, events: input.length }
    buffer = buffer.filter((e) => e.event.ts >= to - warmupMs)
  }
}

function windowSizeMs(view: AnyFeatureView, window: AnyFeatureView['windows'][number]): number {
  if (window.kind === 'tumbling' || window.kind === 'hopping') return window.sizeMs
  throw new FreshetError(
    'CONFIG_INVALID',
    `${view.ref}: feature history supports tumbling and hopping windows, not ${window.kind}`,
  )
}
