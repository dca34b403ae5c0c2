import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { featureRecordV1 } from '../engine/feature-record.js'
import { encodeEvent } from '../events/codec.js'
import { carTelemetrySchema, eventSchemas } from '../events/event-schema.js'
import {
  carBattery,
  carDistance,
  carMotion,
  carStatus,
  featureViews,
  zoneDemand,
  zoneTraffic,
} from '../features/index.js'
import { simulate } from '../simulator/simulation.js'
import { type DriverInput, fromSimulation, RecordPlacer } from './driver-input.js'
import { eventFileLines, readJsonlEvents, writeLines } from './jsonl-events.js'
import { partitionForKey } from './murmur2.js'
import { runTestDriver } from './test-driver.js'

const MINUTE_MS = 60_000
const MONDAY_7AM = Date.UTC(2025, 0, 6, 7)
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const CLI = join(REPO_ROOT, 'pipelines/src/driver/cli.ts')
const simulation = [...simulate({ seed: 1, cars: 10, startMs: MONDAY_7AM, durationMs: 20 * MINUTE_MS })]
const inputs = [...fromSimulation(simulation)]
const carViews = [carMotion, carDistance, carBattery, carStatus]
const sample = simulation.find((e) => e.kind === 'telemetry')!.event

let dir: string
let eventsFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshet-driver-'))
  eventsFile = join(dir, 'events.jsonl')
  const out = createWriteStream(eventsFile)
  await writeLines(out, eventFileLines(simulation))
  out.end()
  await finished(out)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** What must not depend on partitioning or batching: everything but the watermark the window closed at. */
const values = (records: readonly { id: string; features: object; final: boolean }[]) =>
  records.map(({ id, features, final }) => ({ id, features, final }))

describe('runTestDriver', () => {
  it('runs a simulated events file to final records, one per window, sorted', async () => {
    const file = await readJsonlEvents(eventsFile, [carMotion])
    const rideLines = simulation.filter((e) => e.kind === 'ride').length
    expect(file.otherSchema).toHaveLength(rideLines)
    const result = runTestDriver({ views: [carMotion], events: file.inputs })
    expect(result.partitions).toEqual({ 'car.telemetry.v1': 6 })
    expect(result.deadLetters).toEqual([])
    expect(result.late).toEqual([])
    expect(result.splitWindows).toEqual([])
    expect(result.features.length).toBeGreaterThan(10 * 20)
    expect(result.features.every((r) => r.final && featureRecordV1.safeParse(r).success)).toBe(true)
    expect(new Set(result.features.map((r) => r.id)).size).toBe(result.features.length)
    const order = result.features.map((r) => [r.entity, r.window, r.windowStart] as const)
    const sorted = [...order].sort(([e1, w1, s1], [e2, w2, s2]) =>
      e1 < e2 ? -1 : e1 > e2 ? 1 : w1 < w2 ? -1 : w1 > w2 ? 1 : s1 - s2,
    )
    expect(order).toEqual(sorted)
  })

  it('gives identical records whatever the batch size', () => {
    // Final records only: an `updating` view's partials follow the batching, as they do live.
    const runWith = (batchSize: number) => {
      const result = runTestDriver({ views: featureViews, events: inputs, batchSize })
      return { ...result, features: result.features.filter((r) => r.final) }
    }
    const reference = runWith(500)
    expect(reference.features.length).toBeGreaterThan(0)
    for (const batchSize of [1, 7, 1_000_000]) expect(runWith(batchSize)).toEqual(reference)
  })

  it('gives car-keyed views the same values on any number of partitions', () => {
    const one = runTestDriver({ views: carViews, events: inputs, partitions: 1 })
    const six = runTestDriver({ views: carViews, events: inputs })
    const eleven = runTestDriver({ views: carViews, events: inputs, partitions: { 'car.telemetry.v1': 11 } })
    expect(values(six.features)).toEqual(values(one.features))
    expect(values(eleven.features)).toEqual(values(one.features))
  })

  it('merges zone windows across partitions: one record per window, equal to a single-partition run', () => {
    const spread = runTestDriver({ views: [zoneTraffic, zoneDemand], events: inputs })
    const whole = runTestDriver({ views: [zoneTraffic, zoneDemand], events: inputs, partitions: 1 })
    expect(spread.splitWindows).toEqual([])
    expect(new Set(spread.features.map((r) => r.id)).size).toBe(spread.features.length)
    expect(spread.features.some((r) => r.view === 'zone_demand')).toBe(true)
    expect(values(spread.features)).toEqual(values(whole.features))
  })

  it('reports windows computed piecewise when a view keyed unlike its topic is not repartitioned', () => {
    const unmerged = { ...zoneTraffic, repartition: false }
    const spread = runTestDriver({ views: [unmerged], events: inputs })
    expect(spread.splitWindows.length).toBeGreaterThan(0)
    expect(spread.splitWindows[0]!.partitions.length).toBeGreaterThan(1)
  })

  it('dead-letters invalid events with a reason instead of failing, and keeps computing the rest', () => {
    const events: DriverInput[] = [
      { schema: 'car_telemetry', event: sample },
      {
        topic: 'car.telemetry.v1',
        key: 'car-0001',
        value: '{oops',
        headers: { 'freshet-schema': 'car_telemetry', 'freshet-schema-version': '1' },
      },
      { schema: carTelemetrySchema, event: { ...sample, batteryPct: 140 } },
      { topic: 'car.telemetry.v1', key: null, value: '{}', headers: {} },
      { schema: 'ride_event', event: { type: 'ride_requested' } },
      { schema: 'car_telemetry@1', event: { ...sample, ts: sample.ts + 1000 } },
    ]
    const result = runTestDriver({ views: [carMotion], events })
    expect(result.ignored).toEqual([4])
    expect(result.deadLetters.map((d) => [d.input, d.code])).toEqual([
      [1, 'EVENT_UNDECODABLE'],
      [2, 'EVENT_SCHEMA_INVALID'],
      [3, 'EVENT_UNKNOWN_SCHEMA'],
    ])
    expect(result.deadLetters[1]!.reason).toMatch(/batteryPct/)
    expect(result.deadLetters[1]!.record.key?.toString()).toBe(sample.carId)
    const first5m = result.features.find((r) => r.window === '5m')!
    expect(first5m.features.speed_kmh_mean_5m).toBeCloseTo(sample.speedKmh, 9)
  })

  it('reads an invalid line of an events file as a dead letter with its line number', async () => {
    const path = join(dir, 'bad.jsonl')
    const out = createWriteStream(path)
    await writeLines(out, [
      JSON.stringify(sample),
      'not json',
      '',
      JSON.stringify({ ...sample, status: 'flying' }),
    ])
    out.end()
    await finished(out)
    const file = await readJsonlEvents(path, [carMotion])
    const result = runTestDriver({ views: [carMotion], events: file.inputs })
    const dead = result.deadLetters.map((d) => ({
      line: file.lines[d.input],
      code: d.code,
      reason: d.reason,
    }))
    expect(dead).toEqual([
      { line: 2, code: 'EVENT_UNDECODABLE', reason: expect.stringMatching(/not JSON/) },
      { line: 4, code: 'EVENT_SCHEMA_INVALID', reason: expect.stringMatching(/status/) },
    ])
    expect(result.features.length).toBeGreaterThan(0)
  })

  it('refuses a topic outside the catalog unless told its partition count', () => {
    const view = { ...carMotion, source: { ...carMotion.source, topic: 'car.telemetry.replay' } }
    expect(() => runTestDriver({ views: [view], events: [] })).toThrow(/not in the topic catalog/)
    expect(runTestDriver({ views: [view], events: [], partitions: 3 }).partitions).toEqual({
      'car.telemetry.replay': 3,
    })
  })
})

describe('RecordPlacer', () => {
  it('encodes like the producer and places by murmur2 of the key, offsets counting per partition', () => {
    const placer = new RecordPlacer({ views: [carMotion], schemas: eventSchemas, partitionsOf: () => 6 })
    const telemetry = simulation.flatMap((e) => (e.kind === 'telemetry' ? [e.event] : [])).slice(0, 1500)
    const next = new Map<number, number>()
    telemetry.forEach((event, i) => {
      const placed = placer.place({ schema: 'car_telemetry', event }, i)!
      const encoded = encodeEvent(carTelemetrySchema, event)
      const partition = partitionForKey(event.carId, 6)
      expect(placed.record).toEqual({
        topic: 'car.telemetry.v1',
        partition,
        offset: String(next.get(partition) ?? 0),
        key: Buffer.from(encoded.key),
        value: encoded.value,
        headers: encoded.headers,
        timestamp: event.ts,
      })
      next.set(partition, (next.get(partition) ?? 0) + 1)
    })
    expect(next.size).toBeGreaterThan(1)
  })

  it('round-robins key-less records from partition 0 and honours an explicit partition', () => {
    const placer = new RecordPlacer({ views: [carMotion], schemas: eventSchemas, partitionsOf: () => 3 })
    const raw = (partition?: number) => ({ topic: 'car.telemetry.v1', key: null, value: 'x', partition })
    expect([0, 1, 2, 3].map((i) => placer.place(raw(), i)!.record.partition)).toEqual([0, 1, 2, 0])
    expect(placer.place(raw(2), 4)!.record).toMatchObject({ partition: 2, offset: '1' })
    expect(() => placer.place(raw(3), 5)).toThrow(/partition 3 does not exist/)
  })
})

describe('driver CLI', () => {
  const exec = promisify(execFile)
  const cli = (...args: string[]) =>
    exec(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT })

  it('generates an events file and turns it into feature records without processedAt', async () => {
    const events = join(dir, 'cli-events.jsonl')
    const features = join(dir, 'features.jsonl')
    await cli('--generate', '--cars', '3', '--duration', '10m', '--seed', '2', '--out', events)
    const lines = (await readFile(events, 'utf8')).trim().split('\n')
    expect(lines.length).toBeGreaterThan(3 * 10 * 60 * 0.9)
    const { stderr } = await cli('--view', 'car_motion', '--events', events, '--out', features)
    expect(stderr).toMatch(/car_motion:v1: .* feature records, 0 late, 0 dead letters/)
    const records = (await readFile(features, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => featureRecordV1.parse(JSON.parse(l)))
    expect(records.length).toBeGreaterThan(0)
    expect(records.every((r) => r.final && r.processedAt === undefined && r.view === 'car_motion')).toBe(true)
  })

  it('exits with usage for an unknown flag and names the registered views for an unknown view', async () => {
    await expect(cli('--nope')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/Usage/) })
    await expect(cli('--view', 'car_nope', '--events', eventsFile)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/car_motion:v1/),
    })
  })
})
