import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FreshetError } from '@freshet/feature-store'
import {
  CAR_STATUSES,
  type CarTelemetry,
  CITY_CENTRE,
  CITY_ZONES,
  type ConsumedRecord,
  carTelemetrySchema,
  encodeEvent,
  type PartitionProcessor,
} from '../src/index.js'

export interface KeyMemory {
  keys: number
  keyMinutes: number
  /** After building the processor, before any key (forced GC). */
  rssMbBefore: number
  heapMbBefore: number
  /** With every key holding open windows (forced GC). */
  rssMb: number
  heapMb: number
  /** Keys × windows holding state, as the engine's open-keys gauge counts them. */
  openWindowKeys: number
  loadMs: number
}

/** Minute-aligned, so a key's samples of one minute land in one pane of every window. */
const BASE_MS = Date.UTC(2026, 0, 12, 7, 0)
const CHUNK = 10_000
/**
 * A million live keys take ~1.6 GB of heap with today's views (4.6 GB before window state was compacted), and
 * more views or more minutes per key take more, past Node's default limit (~4 GB here): the probe gets more room,
 * because the point is to report the figure, not to die before it.
 */
const HEAP_LIMIT_MB = 12_288

/**
 * Feeds `keys` distinct cars through `processor`, `keyMinutes` samples each (one per minute, all cars within the
 * first 50 s of the minute), so every key ends up holding open windows (up to `keyMinutes` panes each). Records
 * are encoded like real messages and built chunk by chunk, so only window state stays reachable.
 *
 * @example
 * loadLiveKeys(new PartitionProcessor(telemetryViews()), 1_000_000, 1)
 */
export function loadLiveKeys(processor: PartitionProcessor, keys: number, keyMinutes: number): void {
  const zones = CITY_ZONES.map((z) => z.id)
  let offset = 0
  for (let minute = 0; minute < keyMinutes; minute++) {
    for (let from = 0; from < keys; from += CHUNK) {
      const records: ConsumedRecord[] = []
      for (let i = from; i < Math.min(keys, from + CHUNK); i++) {
        const sample: CarTelemetry = {
          carId: `car-${String(i + 1).padStart(7, '0')}`,
          ts: BASE_MS + minute * 60_000 + Math.floor((i * 50_000) / keys),
          position: { lat: CITY_CENTRE.lat + (i % 200) * 1e-4, lon: CITY_CENTRE.lon + (i % 170) * 1e-4 },
          zoneId: zones[i % zones.length]!,
          speedKmh: (i * 7) % 90,
          headingDeg: (i * 13) % 360,
          batteryPct: 20 + (i % 80) - minute * 0.1,
          status: CAR_STATUSES[i % CAR_STATUSES.length]!,
          odometerKm: 10_000 + (i % 5000) + minute * 0.4,
        }
        const encoded = encodeEvent(carTelemetrySchema, sample)
        records.push({
          topic: 'bench.memory',
          partition: 0,
          offset: String(offset++),
          key: Buffer.from(encoded.key),
          value: encoded.value,
          headers: encoded.headers,
          timestamp: encoded.timestamp,
        })
      }
      const out = processor.process(records)
      if (out.deadLetters.length > 0 || out.late.length > 0) {
        throw new FreshetError(
          'INTERNAL',
          `memory load produced ${out.deadLetters.length} dead letters, ${out.late.length} late events`,
        )
      }
    }
  }
}

/**
 * Measures window-state memory in a child process of its own (forced GC, nothing else allocated), so the
 * figure is not blurred by Kafka clients or earlier runs.
 *
 * @example
 * const m = await measureKeyMemory({ keys: 1_000_000, keyMinutes: 1 }) // { rssMb, heapMb, … }
 */
export function measureKeyMemory(options: { keys: number; keyMinutes: number }): Promise<KeyMemory> {
  const probe = fileURLToPath(new URL('./key-memory-probe.ts', import.meta.url))
  const child = fork(probe, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', '--expose-gc', `--max-old-space-size=${HEAP_LIMIT_MB}`],
    // stdout stays free for the bench's JSON line.
    stdio: ['ignore', 2, 2, 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let result: KeyMemory | undefined
    child.once('message', (message) => {
      result = message as KeyMemory
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      result
        ? resolve(result)
        : reject(new FreshetError('INTERNAL', `memory probe exited with ${code} before reporting`)),
    )
  })
}
