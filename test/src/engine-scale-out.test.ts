import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  type AlertRecord,
  alertRecordV1,
  carTelemetryGap,
  createKafka,
  type FeatureRecord,
  featureRecordV1,
  fromSimulation,
  PartitionProcessor,
  runSimulator,
  runTestDriver,
  simulate,
  ViewMerger,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { testCarView, testZoneView } from './fixtures/test-view.js'

const brokers = testBrokers()
const worker = fileURLToPath(new URL('./fixtures/engine-worker.ts', import.meta.url))
const kafka = createKafka({ brokers, clientId: 'scale-out-test' })

/** Partitions a worker opened tasks for, from its JSON log lines. */
function openedPartitions(child: ChildProcess): Set<string> {
  const opened = new Set<string>()
  let buffered = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.includes('partition task opened')) continue
      const { topic, partition } = JSON.parse(line) as { topic: string; partition: number }
      opened.add(`${topic}/${partition}`)
    }
  })
  return opened
}

function startWorker(args: object): Promise<ChildProcess> {
  const child = fork(worker, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: 'pipe' })
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)))
  })
}

const parse = (value: Buffer | null): FeatureRecord => featureRecordV1.parse(JSON.parse(value!.toString()))

/** What must agree across live, replayed and offline runs (`watermark` and `processedAt` describe the run). */
const deterministic = ({
  id,
  entity,
  window,
  windowStart,
  windowEnd,
  eventTime,
  final,
  features,
}: FeatureRecord) => ({
  id,
  entity,
  window,
  windowStart,
  windowEnd,
  eventTime,
  final,
  features,
})

describe('feature engine scale-out', () => {
  const children: ChildProcess[] = []
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await kafka.close()
  })

  it('splits partitions between two workers, survives a rebalance and a kill -9, merges zones, and agrees with the test driver', async () => {
    const input = testTopic('scale-input', 6)
    const rides = testTopic('scale-rides', 1)
    const features = testTopic('scale-features', 6)
    const dlq = testTopic('scale-dlq')
    const late = testTopic('scale-late')
    const alerts = testTopic('scale-alerts', 6)
    await kafka.ensureTopics([input, rides, features, dlq, late, alerts])
    const simulation = {
      cars: 16,
      seed: 21,
      startMs: Date.UTC(2026, 10, 2, 7, 0),
      durationMs: 40 * 60_000,
    }
    await runSimulator({
      mode: 'historical',
      kafka,
      ...simulation,
      topics: { telemetry: input.name, rides: rides.name },
      ensureTopics: false,
    })

    // The reference: the pure processors over what the broker holds, per partition; zone partials merged and
    // closed at the slowest partition's watermark, as the merge phase does once every partition has reported.
    const car = testCarView(input.name)
    const zone = testZoneView(input.name)
    const gap = { ...carTelemetryGap, source: { ...carTelemetryGap.source, topic: input.name } }
    const inputRecords = await readAll(kafka, input.name)
    const expected = new Map<string, FeatureRecord>()
    const expectedAlerts = new Map<string, AlertRecord>()
    const merger = new ViewMerger(zone)
    let slowest = Number.POSITIVE_INFINITY
    for (let partition = 0; partition < 6; partition++) {
      const processor = new PartitionProcessor([car, zone], { patterns: [gap] })
      const out = processor.process(inputRecords.filter((r) => r.partition === partition))
      expect(out.deadLetters).toEqual([])
      for (const a of out.alerts) expectedAlerts.set(a.id, a)
      for (const f of out.features) expected.set(f.id, f)
      for (const p of out.partials) merger.add(p)
      slowest = Math.min(slowest, processor.watermark)
    }
    for (const f of merger.advance(slowest)) expected.set(f.id, f)
    const zoneIds = [...expected.values()].filter((f) => f.view === zone.name)
    expect(zoneIds.length).toBeGreaterThan(20)
    // The simulator's connectivity dropouts: cars on a trip that go silent, then reappear.
    expect([...expectedAlerts.values()].filter((a) => a.kind === 'fired').length).toBeGreaterThan(2)

    const args = {
      brokers,
      appId: `scale-${randomUUID().slice(0, 8)}`,
      inputTopic: input.name,
      featureTopic: features.name,
      deadLetterTopic: dlq.name,
      lateTopic: late.name,
      maxBytesPerPartition: 16 * 1024,
      zones: true,
      alertTopic: alerts.name,
    }
    const first = await startWorker(args)
    children.push(first)
    const openedByFirst = openedPartitions(first)
    await sleep(1500)
    const second = await startWorker(args) // the group rebalances: partitions move to the newcomer
    children.push(second)
    const openedBySecond = openedPartitions(second)
    await sleep(3000)
    expect(openedByFirst.size).toBeGreaterThan(0)
    expect(openedBySecond.size).toBeGreaterThan(0)
    expect(openedBySecond.size).toBeLessThan(12) // 6 input + 6 repartition partitions: split, not all
    first.kill('SIGKILL') // and again once the session times out: the survivor takes everything
    await new Promise((resolve) => first.once('exit', resolve))

    const deadline = Date.now() + 150_000
    let got: FeatureRecord[] = []
    while (Date.now() < deadline) {
      got = (await readAll(kafka, features.name, 20_000)).map((r) => parse(r.value))
      if (got.length >= expected.size) break
      await sleep(2000)
    }
    second.kill('SIGTERM')

    const ids = got.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length) // no duplicates
    expect(new Set(ids)).toEqual(new Set(expected.keys())) // no gaps, nothing extra
    for (const record of got) {
      if (record.view === car.name) {
        const { processedAt, ...values } = record
        expect(values).toEqual(expected.get(record.id))
      } else {
        expect(deterministic(record)).toEqual(deterministic(expected.get(record.id)!))
      }
    }

    // The offline test driver, fed the simulation itself (not the broker), publishes the same records.
    const driver = runTestDriver({
      views: [car, zone],
      patterns: [gap],
      events: fromSimulation(simulate(simulation)),
      partitions: { [input.name]: 6 },
    })
    const offline = new Map(driver.features.map((f) => [f.id, f]))
    for (const record of got) expect(deterministic(record)).toEqual(deterministic(offline.get(record.id)!))
    // Alerts, exactly once and equal to the reference; the driver (which also closes the end of input) agrees.
    const gotAlerts = (await readAll(kafka, alerts.name, 5000)).map((r) =>
      alertRecordV1.parse(JSON.parse(r.value!.toString())),
    )
    expect(gotAlerts.map((a) => a.id).sort()).toEqual([...expectedAlerts.keys()].sort())
    for (const { processedAt, ...alert } of gotAlerts) expect(alert).toEqual(expectedAlerts.get(alert.id))
    const offlineAlerts = new Map(driver.alerts.map((a) => [a.id, a]))
    for (const { processedAt, watermark, ...alert } of gotAlerts) {
      const { watermark: _, ...offline } = offlineAlerts.get(alert.id)!
      expect(alert).toEqual(offline)
    }
    expect(await readAll(kafka, dlq.name, 5000)).toEqual([])
  }, 300_000)
})
