import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  createKafka,
  type FeatureRecord,
  featureRecordV1,
  PartitionProcessor,
  runSimulator,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { testCarView } from './fixtures/test-view.js'

const brokers = testBrokers()

const worker = fileURLToPath(new URL('./fixtures/engine-worker.ts', import.meta.url))
const kafka = createKafka({ brokers, clientId: 'eos-test' })

function startWorker(args: object): Promise<ChildProcess> {
  const child = fork(worker, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: 'pipe' })
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)))
  })
}

describe('feature engine exactly-once', () => {
  const children: ChildProcess[] = []
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await kafka.close()
  })

  it('publishes every window exactly once, with the values of a clean run, across repeated kill -9', async () => {
    const input = testTopic('eos-input', 3)
    const rides = testTopic('eos-rides', 1)
    const features = testTopic('eos-features', 3)
    const dlq = testTopic('eos-dlq')
    const late = testTopic('eos-late')
    await kafka.ensureTopics([input, rides, features, dlq, late])
    await runSimulator({
      mode: 'historical',
      kafka,
      cars: 12,
      seed: 11,
      startMs: Date.UTC(2026, 10, 2, 7, 0),
      durationMs: 40 * 60_000,
      topics: { telemetry: input.name, rides: rides.name },
      ensureTopics: false,
    })

    // The reference: the same pure processor over exactly what the broker holds, per partition, no faults.
    const inputRecords = await readAll(kafka, input.name)
    expect(inputRecords.length).toBeGreaterThan(20_000)
    const view = testCarView(input.name)
    const expected = new Map<string, FeatureRecord>()
    for (const partition of [0, 1, 2]) {
      const processor = new PartitionProcessor([view])
      const out = processor.process(inputRecords.filter((r) => r.partition === partition))
      for (const f of out.features) expected.set(f.id, f)
      expect(out.deadLetters).toEqual([])
    }
    expect(expected.size).toBeGreaterThan(100)

    const args = {
      brokers,
      appId: `eos-${randomUUID().slice(0, 8)}`,
      inputTopic: input.name,
      featureTopic: features.name,
      deadLetterTopic: dlq.name,
      lateTopic: late.name,
      maxBytesPerPartition: 16 * 1024, // small batches: many transactions, so kills land mid-stream
    }
    let killedMidStream = 0
    for (const delayMs of [2500, 1500, 3500]) {
      const child = await startWorker(args)
      children.push(child)
      await sleep(delayMs)
      const published = (await kafka.endOffsets(features.name)).reduce((n, p) => n + Number(p.offset), 0)
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
      if (published > 0) killedMidStream++
    }
    expect(killedMidStream).toBeGreaterThan(0)

    const final = await startWorker(args)
    children.push(final)
    const deadline = Date.now() + 120_000
    let got: FeatureRecord[] = []
    while (Date.now() < deadline) {
      got = (await readAll(kafka, features.name, 20_000)).map((r) =>
        featureRecordV1.parse(JSON.parse(r.value!.toString())),
      )
      if (got.length >= expected.size) break
      await sleep(2000)
    }
    final.kill('SIGTERM')

    const ids = got.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length) // no duplicates
    expect(new Set(ids)).toEqual(new Set(expected.keys())) // no gaps, nothing extra
    for (const record of got) {
      const { processedAt, ...values } = record
      expect(processedAt).toBeTypeOf('number')
      expect(values).toEqual(expected.get(record.id))
    }
    expect(await readAll(kafka, dlq.name, 5000)).toEqual([])
  }, 300_000)
})
