/**
 * CPU-only harness for profiling the engine's per-event work without Kafka: the same telemetry the pipeline
 * bench prefills, split into partitions and fetch-sized batches like a consumer sees them, then (1) decoded
 * only, as the bare consumer does, and (2) run through a PartitionProcessor per partition, with its output
 * turned into messages as the runtime publishes them. Prints the CPU time per event of both; run it under
 * `node --cpu-prof` to see where the engine's share goes.
 *
 *   npx tsx pipelines/bench/processor-harness.ts [events=300000] [cars=1000] [rounds=3]
 */

import { featureRecordMessage } from '../src/engine/feature-record.js'
import { partialMessage } from '../src/engine/repartition.js'
import {
  type ConsumedRecord,
  carTelemetrySchema,
  decodeEvent,
  encodeEvent,
  PartitionProcessor,
  partitionForKey,
  simulate,
} from '../src/index.js'
import { telemetryViews } from './bench-views.js'

const events = Number(process.argv[2] ?? 300_000)
const cars = Number(process.argv[3] ?? 1000)
const rounds = Number(process.argv[4] ?? 3)
const PARTITIONS = 6
/** About what a 4 MB fetch of ~300 B records holds. */
const BATCH = 13_000

const byPartition: ConsumedRecord[][] = Array.from({ length: PARTITIONS }, () => [])
let n = 0
for (const e of simulate({ startMs: Date.UTC(2026, 0, 12, 7), cars, seed: 7 })) {
  if (e.kind !== 'telemetry') continue
  const encoded = encodeEvent(carTelemetrySchema, e.event)
  const partition = partitionForKey(Buffer.from(encoded.key), PARTITIONS)
  const list = byPartition[partition]!
  list.push({
    topic: 'bench.harness',
    partition,
    offset: String(list.length),
    key: Buffer.from(encoded.key),
    value: encoded.value,
    headers: encoded.headers,
    timestamp: encoded.timestamp,
  })
  if (++n >= events) break
}
// Interleave partitions batch by batch, as a consumer over six partitions does.
const batches: ConsumedRecord[][] = []
for (let from = 0; ; from += BATCH) {
  const round = byPartition.map((list) => list.slice(from, from + BATCH)).filter((b) => b.length > 0)
  if (round.length === 0) break
  batches.push(...round)
}

function decodeOnly(): number {
  let invalid = 0
  for (const batch of batches) for (const record of batch) if (!decodeEvent(record).ok) invalid++
  return invalid
}

function engine(): number {
  const views = telemetryViews('bench.harness')
  const processors = Array.from({ length: PARTITIONS }, () => new PartitionProcessor(views))
  let messages = 0
  for (const batch of batches) {
    const p = processors[batch[0]!.partition]!
    const out = p.process(batch)
    const at = Date.now()
    for (const f of out.features) messages += featureRecordMessage('t', f, at).value.length > 0 ? 1 : 0
    for (const partial of out.partials) messages += partialMessage('r', partial).value ? 1 : 0
    p.replayFrom()
  }
  return messages
}

/** CPU time (this process, all threads: GC included), which other processes on the machine disturb less than wall time. */
function cpuMs(run: () => unknown): number {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

const us = (ms: number) => ((ms * 1000) / events).toFixed(2)
const extra: number[] = []
for (let r = 0; r < rounds; r++) {
  const decodeMs = cpuMs(decodeOnly)
  let messages = 0
  const engineMs = cpuMs(() => {
    messages = engine()
  })
  extra.push(engineMs - decodeMs)
  console.log(
    `round ${r + 1}: decode ${us(decodeMs)} µs/event, engine ${us(engineMs)} µs/event ` +
      `(${us(engineMs - decodeMs)} beyond decoding), ${messages} messages (CPU time)`,
  )
}
extra.sort((a, b) => a - b)
console.log(`median beyond decoding: ${us(extra[Math.floor(extra.length / 2)]!)} µs/event of CPU`)
