import type { AnyFeatureView, FeatureRecord } from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PartitionProcessor } from '../engine/partition-processor.js'
import { ViewMerger } from '../engine/view-merger.js'
import { carMotion, zoneTraffic } from '../features/index.js'
import { type ConsumedRecord, createKafka } from '../kafka/kafka.js'
import { runSimulator } from '../simulator/run-simulator.js'
import { readAll, testBrokers, testTopic } from '../testing.js'
import { type BackfillTask, planBackfill } from './planner.js'
import { inBackfillRange, rangeSize } from './range-math.js'
import { replayMerge } from './replay-merge.js'
import { replayPartition } from './replay-partition.js'
import type { ReplayCheckpoint, TaskProgress } from './replay-state.js'

// Real broker: the replay core (planner, range reader, replays) against what the broker holds, compared with
// the engine's processors run over the whole partitions. The stores are the e2e suites' business
// (test/src/backfill-*.test.ts); here a record list stands in for them.
const kafka = createKafka({ brokers: testBrokers(), clientId: 'backfill-replay-test' })
const input = testTopic('backfill-replay', 3)
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000
const from = T0 + 25 * 60_000
const to = T0 + 40 * 60_000
const onTopic = (view: AnyFeatureView): AnyFeatureView => ({
  ...view,
  source: { ...view.source, topic: input.name },
})
const cars = onTopic(carMotion)
const zones = onTopic(zoneTraffic)
let records: ConsumedRecord[] = []

const rides = testTopic('backfill-replay-rides', 1)

beforeAll(async () => {
  await kafka.ensureTopics([input, rides])
  await runSimulator({
    mode: 'historical',
    kafka,
    cars: 10,
    seed: 5,
    startMs: T0,
    durationMs: 50 * 60_000,
    topics: { telemetry: input.name, rides: rides.name },
    ensureTopics: false,
  })
  records = await readAll(kafka, input.name)
}, 120_000)

afterAll(async () => {
  await kafka.deleteTopics([input.name, rides.name]).catch(() => {})
  await kafka.close()
})

/** The live engine's output over whole partitions, restricted to the backfill range. */
function reference(): { cars: FeatureRecord[]; zones: FeatureRecord[] } {
  const out: FeatureRecord[] = []
  const merger = new ViewMerger(zones)
  for (const partition of [0, 1, 2]) {
    const p = new PartitionProcessor([cars, zones])
    const result = p.process(records.filter((r) => r.partition === partition))
    out.push(...result.features)
    for (const partial of result.partials) merger.add(partial)
  }
  const merged = merger
    .advance(Number.POSITIVE_INFINITY)
    .map((r) => ({ ...r, watermark: r.windowEnd + zones.graceMs }))
  const keep = (r: FeatureRecord) => inBackfillRange(r, from, to)
  return { cars: sortById(out.filter(keep)), zones: sortById(merged.filter(keep)) }
}

function sortById(rs: readonly FeatureRecord[]): FeatureRecord[] {
  return [...rs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

describe('backfill replay against a real broker', () => {
  it('plans one partition task per partition and one merge task, each from the warm-up to the closing record', async () => {
    const plan = await planBackfill({ kafka, views: [cars, zones], from, to })
    expect(plan.tasks.map((t) => `${t.kind}:${t.key}`)).toEqual([
      'partition:0.0',
      'partition:0.1',
      'partition:0.2',
      'merge:0.merge',
    ])
    for (const task of plan.tasks) {
      for (const range of task.ranges) {
        const mine = records.filter((r) => r.partition === range.partition)
        const first = mine.find((r) => BigInt(r.offset) === BigInt(range.start))!
        const closing = mine.find((r) => BigInt(r.offset) === BigInt(range.end) - 1n)!
        // The first record read is the first one at or after from − warm-up; every earlier one is older.
        expect(first.timestamp).toBeGreaterThanOrEqual(from - 15 * 60_000 - 30_000)
        expect(
          mine
            .filter((r) => BigInt(r.offset) < BigInt(range.start))
            .every((r) => r.timestamp < first.timestamp),
        ).toBe(true)
        expect(closing.timestamp).toBeGreaterThanOrEqual(to + 30_000)
        expect(range.closed).toBe(true)
      }
    }
  })

  it('writes exactly the live records of the range, counting every record read once', async () => {
    const plan = await planBackfill({ kafka, views: [cars, zones], from, to })
    const expected = reference()
    expect(expected.cars.length).toBeGreaterThan(100)
    expect(expected.zones.length).toBeGreaterThan(20)
    const written: FeatureRecord[] = []
    let last: TaskProgress | undefined
    for (const task of plan.tasks) {
      const result = await (task.kind === 'merge' ? replayMerge : replayPartition)({
        kafka,
        task,
        views: task.kind === 'merge' ? [zones] : [cars],
        from,
        to,
        maxBytesPerPartition: 64 * 1024,
        write: async (rs) => {
          written.push(...rs)
        },
        save: async (_checkpoint, progress) => {
          last = progress
        },
      })
      expect(result.outcome).toBe('completed')
      for (const range of task.ranges) {
        expect(result.counts.events[String(range.partition)]).toBe(rangeSize(range))
      }
      expect(last?.ranges.every((r) => r.done && BigInt(r.position) >= BigInt(r.end))).toBe(true)
    }
    expect(sortById(written.filter((r) => r.view === 'car_motion'))).toEqual(expected.cars)
    expect(sortById(written.filter((r) => r.view === 'zone_traffic'))).toEqual(expected.zones)
  })

  it('resumes after a crash from its checkpoint, writing what an uninterrupted run writes', async () => {
    const plan = await planBackfill({ kafka, views: [cars, zones], from, to })
    const expected = reference()
    for (const task of [plan.tasks[1]!, plan.tasks[3]!]) {
      const views = task.kind === 'merge' ? [zones] : [cars]
      const replay = task.kind === 'merge' ? replayMerge : replayPartition
      const written: FeatureRecord[] = []
      let checkpoint: ReplayCheckpoint | undefined
      let saves = 0
      const crashing = replay({
        kafka,
        task,
        views,
        from,
        to,
        maxBytesPerPartition: 16 * 1024,
        write: async (rs) => {
          written.push(...rs)
        },
        save: async (cp) => {
          checkpoint = structuredClone(cp)
          if (++saves === 6) throw new Error('worker died')
        },
      })
      await expect(crashing).rejects.toThrow('worker died')
      expect(checkpoint).toBeDefined()
      const resumed = await replay({
        kafka,
        task,
        views,
        from,
        to,
        checkpoint,
        maxBytesPerPartition: 16 * 1024,
        write: async (rs) => {
          written.push(...rs)
        },
        save: async (cp) => {
          checkpoint = cp
        },
      })
      expect(resumed.outcome).toBe('completed')
      for (const range of task.ranges) {
        expect(resumed.counts.events[String(range.partition)]).toBe(rangeSize(range))
      }
      // Records of the crashed batch are written again (idempotent stores absorb that); nothing else is.
      const byId = new Map(written.map((r) => [r.id, r]))
      const want =
        task.kind === 'merge'
          ? expected.zones
          : expected.cars.filter((r) => partitionOf(r) === task.ranges[0]!.partition)
      expect(sortById([...byId.values()])).toEqual(want)
      expect(written.length - byId.size).toBeLessThan(want.length / 2)
    }
  })

  it('stops between batches when aborted', async () => {
    const plan = await planBackfill({ kafka, views: [cars], from, to })
    const abort = new AbortController()
    let batches = 0
    const result = await replayPartition({
      kafka,
      task: plan.tasks[0] as BackfillTask,
      views: [cars],
      from,
      to,
      maxBytesPerPartition: 8 * 1024,
      signal: abort.signal,
      write: async () => {},
      save: async () => {
        if (++batches === 2) abort.abort()
      },
    })
    expect(result.outcome).toBe('cancelled')
    expect(batches).toBeLessThanOrEqual(3)
    expect(result.counts.events['0']).toBeLessThan(rangeSize(plan.tasks[0]!.ranges[0]!))
  })
})

const carPartitions = new Map<string, number>()
function partitionOf(record: FeatureRecord): number {
  if (carPartitions.size === 0) for (const r of records) carPartitions.set(r.key!.toString(), r.partition)
  return carPartitions.get(record.entity)!
}
