/**
 * `npm run bench -- pipeline [--json] [flags]`: events/s of the feature engine (exactly-once and at-least-once)
 * over a prefilled telemetry topic against a bare decode-only consumer and a bare exactly-once consume-publish
 * floor (floor-consumer.ts), measured interleaved in one run, plus the memory of a million live keys. See bench-args.ts for the flags.
 */
import { randomUUID } from 'node:crypto'
import { isFreshetError } from '@freshet/feature-store'
import { pino } from 'pino'
import { createKafka, featureTopicSpec, TOPICS, type TopicSpec } from '../src/index.js'
import { runBareConsumer } from './bare-consumer.js'
import { parseBenchArgs, USAGE } from './bench-args.js'
import { telemetryViews } from './bench-views.js'
import { type EngineOutputs, type EngineRunResult, type Guarantee, runEngine } from './engine-run.js'
import { runFloorConsumer } from './floor-consumer.js'
import { type KeyMemory, measureKeyMemory } from './key-memory.js'
import type { RunResult } from './measure.js'
import { prefillTelemetry } from './prefill.js'
import { pipelineBenchJson, pipelineBenchText } from './report.js'

/** The engine's default fetch size; the baseline uses it too so both see the same batches. */
const FETCH_BYTES = 4 * 1024 * 1024

const args = parseBenchArgs(process.argv.slice(2), process.env)
if (args === undefined) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)
const logger = pino({ name: 'bench', level: 'warn' }, pino.destination(2))
const kafka = createKafka({ brokers: args.brokers, clientId: 'freshet-bench', logger })
await kafka.probe()

const runId = randomUUID().slice(0, 8)
const outputs: EngineOutputs = {
  featureTopic: (view) => `bench.pipeline.${runId}.features.${view.name}.v${view.version}`,
  lateTopic: `bench.pipeline.${runId}.late`,
  deadLetterTopic: `bench.pipeline.${runId}.dead-letter`,
}
const floorOutput = `bench.pipeline.${runId}.floor`
const sideTopics: TopicSpec[] = [
  { ...TOPICS.lateEvents, name: outputs.lateTopic },
  { ...TOPICS.deadLetter, name: outputs.deadLetterTopic },
  featureTopicSpec(floorOutput), // the floor publishes like a feature topic
]

const topic = await prefillTelemetry({
  kafka,
  events: args.events,
  cars: args.cars,
  seed: args.seed,
  reuse: args.reuseTopic,
  log,
})
const views = telemetryViews(topic.name)
log(`views: ${views.map((v) => v.ref).join(', ')}`)

const engineRun = (guarantee: Guarantee) => ({
  kafka,
  views,
  topic: topic.name,
  events: args.events,
  guarantee,
  outputs,
  maxBytesPerPartition: FETCH_BYTES,
  logger,
})

const baseline: RunResult[] = []
const floor: RunResult[] = []
const eos: EngineRunResult[] = []
const alo: EngineRunResult[] = []
let memory: KeyMemory | undefined
try {
  await kafka.ensureTopics(sideTopics)
  const progress = (what: string) => (count: number) => log(`${what}: ${count} of ${args.events}`)
  const modes = {
    baseline: async () => {
      const r = await runBareConsumer({
        kafka,
        topic: topic.name,
        events: args.events,
        maxBytesPerPartition: FETCH_BYTES,
        onProgress: progress('bare consumer'),
      })
      baseline.push(r)
      return r
    },
    floor: async () => {
      const r = await runFloorConsumer({
        kafka,
        topic: topic.name,
        events: args.events,
        maxBytesPerPartition: FETCH_BYTES,
        outputTopic: floorOutput,
        onProgress: progress('floor (bare exactly-once publish)'),
      })
      floor.push(r)
      return r
    },
    eos: async () => {
      const r = await runEngine({ ...engineRun('exactly-once'), onProgress: progress('engine exactly-once') })
      eos.push(r)
      return r
    },
    alo: async () => {
      const r = await runEngine({
        ...engineRun('at-least-once'),
        onProgress: progress('engine at-least-once'),
      })
      alo.push(r)
      return r
    },
  }
  const order = Object.keys(modes) as (keyof typeof modes)[]
  for (let rep = 0; rep < args.reps; rep++) {
    // Rotate the order each rep, so no mode always runs first (cold broker cache, JIT) or last.
    for (let i = 0; i < order.length; i++) {
      const mode = order[(rep + i) % order.length]!
      log(`rep ${rep + 1}/${args.reps}: ${mode}…`)
      const r = await modes[mode]().catch((err: unknown) => {
        // A shared broker on a busy machine has hiccups (leader moves, timeouts): one fresh retry of the run.
        if (!isFreshetError(err) || !err.retriable) throw err
        log(`rep ${rep + 1}/${args.reps}: ${mode} failed (${err.message}); retrying once`)
        return modes[mode]()
      })
      log(
        `rep ${rep + 1}/${args.reps}: ${mode} ${r.eventsPerS} events/s (join ${r.joinMs} ms, ` +
          `${r.processMs} ms processing)`,
      )
    }
  }
  if (args.memoryKeys > 0) {
    log(`memory: loading ${args.memoryKeys} live keys × ${args.keyMinutes} min into a partition processor…`)
    memory = await measureKeyMemory({ keys: args.memoryKeys, keyMinutes: args.keyMinutes })
  }
} finally {
  const features = views.map((view) => outputs.featureTopic(view))
  await kafka
    .deleteTopics([...features, ...sideTopics.map((t) => t.name)])
    .catch((err: Error) => log(`could not delete output topics: ${err.message}`))
  await topic.drop().catch((err: Error) => log(`could not delete ${topic.name}: ${err.message}`))
  await kafka.close()
}

const result = pipelineBenchJson({
  events: args.events,
  reps: args.reps,
  cars: args.cars,
  partitions: topic.partitions,
  prefillEventsPerS: topic.eventsPerS ?? null,
  baseline,
  floor,
  eos,
  alo,
  memory,
})
if (args.json) {
  process.stderr.write(pipelineBenchText(result))
  process.stdout.write(`${JSON.stringify(result)}\n`)
} else {
  process.stdout.write(pipelineBenchText(result))
}
