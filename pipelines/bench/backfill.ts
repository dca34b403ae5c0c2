/**
 * `npm run bench -- backfill [--json] [flags]`: replay throughput of a backfill against a bare consume of the
 * same range, measured interleaved in one run.
 *
 * - Replay: a real backfill through BullMQ on Redis: a parent plans the time range (offsets for timestamps),
 *   fans out one child per partition, each child reads its partition with its own consumer, runs the views
 *   through the live engine's `PartitionProcessor`, filters the range and saves a checkpoint and progress to
 *   Redis after every batch. Timed from submission to the parent's completion (planning, fan-out and consumer
 *   joins included). The records go to a counting writer: the stores' write throughput is the sinks' bench
 *   (`npm run bench -- offline`), and pipelines cannot depend on sinks.
 * - Baseline: a bare kafkajs consumer of the whole topic from offset 0 that decodes and validates every record
 *   and does nothing else, timed from its start call (connect and join included) to the last record.
 *
 * The range covers the whole prefilled topic (from before its first event to now), so both read the same
 * records, from offset 0.
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import {
  type FeatureRecord,
  FreshetError,
  type OfflineFeatureWriter,
  type OnlineFeatureWriter,
} from '@freshet/feature-store'
import { Queue } from 'bullmq'
import { pino } from 'pino'
import { z } from 'zod'
import {
  BACKFILL_QUEUE,
  createBackfillClient,
  createKafka,
  RANGE_QUEUE,
  startBackfillWorker,
} from '../src/index.js'
import { runBareConsumer } from './bare-consumer.js'
import { telemetryViews } from './bench-views.js'
import { median, type RunResult } from './measure.js'
import { prefillTelemetry } from './prefill.js'

const USAGE = `Usage: npm run bench -- backfill [options]

  --events N        telemetry events in the prefilled topic (default 1000000)
  --reps N          runs of each mode, interleaved; medians are reported (default 3)
  --cars N          fleet size (default 1000)
  --seed N          simulator seed (default 7)
  --views LIST      telemetry views to backfill, comma-separated names (default car_motion)
  --concurrency N   children the worker runs at once (default 6: one per partition)
  --reuse-topic     keep the prefilled topic and reuse it next time
  --json            one JSON line on stdout (summary goes to stderr)
`

/** The target: replay at least 0.8× the bare consume. */
const TARGET_RATIO = 0.8
/** The engine's and the backfill's default fetch size; the baseline uses it too. */
const FETCH_BYTES = 4 * 1024 * 1024

const Args = z.object({
  events: z.coerce.number().int().min(1000).default(1_000_000),
  reps: z.coerce.number().int().min(1).max(20).default(3),
  cars: z.coerce.number().int().min(1).max(99_999).default(1000),
  seed: z.coerce.number().int().default(7),
  views: z.string().default('car_motion'),
  concurrency: z.coerce.number().int().min(1).max(64).default(6),
  reuseTopic: z.boolean().default(false),
  json: z.boolean().default(false),
})

function parseBenchArgs(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      events: { type: 'string' },
      reps: { type: 'string' },
      cars: { type: 'string' },
      seed: { type: 'string' },
      views: { type: 'string' },
      concurrency: { type: 'string' },
      'reuse-topic': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return undefined
  const parsed = Args.safeParse({ ...values, reuseTopic: values['reuse-topic'] })
  if (!parsed.success) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `invalid bench flags: ${z.prettifyError(parsed.error)}\n\n${USAGE}`,
    )
  }
  return parsed.data
}

const args = parseBenchArgs(process.argv.slice(2))
if (args === undefined) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:19092').split(',')
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:16379'
const logger = pino({ name: 'bench', level: 'warn' }, pino.destination(2))
const kafka = createKafka({ brokers, clientId: 'freshet-bench-backfill', logger })
await kafka.probe()

const topic = await prefillTelemetry({
  kafka,
  events: args.events,
  cars: args.cars,
  seed: args.seed,
  reuse: args.reuseTopic,
  log,
})
const wanted = args.views.split(',').map((v) => v.trim())
const views = telemetryViews(topic.name).filter((v) => wanted.includes(v.name))
if (views.length !== wanted.length) {
  throw new FreshetError('CONFIG_INVALID', `--views: unknown telemetry view among ${args.views}`)
}
if (views.some((v) => v.repartition)) {
  // A merge task re-reads every partition: its events would count twice against one bare consume.
  throw new FreshetError('CONFIG_INVALID', '--views: pick views keyed like the topic (zone views merge)')
}
log(`views: ${views.map((v) => v.ref).join(', ')}; concurrency ${args.concurrency}`)

/** Counts what a backfill would store; the stores' own throughput is measured by the sinks' bench. */
let written = 0
const counting = (): OnlineFeatureWriter & OfflineFeatureWriter => ({
  async write(records: readonly FeatureRecord[]) {
    written += records.length
  },
  async close() {},
})

const prefix = `bench-backfill-${randomUUID().slice(0, 8)}`
const worker = startBackfillWorker({
  kafka,
  redisUrl,
  prefix,
  views,
  offline: counting(),
  concurrency: args.concurrency,
  maxBytesPerPartition: FETCH_BYTES,
  logger,
})
const client = createBackfillClient({ redisUrl, prefix, views })
const parents = new Queue(BACKFILL_QUEUE, { connection: { url: redisUrl }, prefix })

interface ReplayRun extends RunResult {
  written: number
  late: number
  deadLetters: number
  planMs: number
}

async function runReplay(): Promise<ReplayRun> {
  const before = written
  const startAt = performance.now()
  const { id } = await client.start({ views: ['all'], from: 0, to: Date.now(), target: 'offline' })
  let plannedAt: number | undefined
  for (;;) {
    // One cheap call per poll (the full status reads every child): the bench must not slow the replay down.
    const state = await parents.getJobState(id)
    if (plannedAt === undefined && state === 'waiting-children') plannedAt = performance.now()
    if (state !== 'completed' && state !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 10))
      continue
    }
    const status = (await client.status(id))!
    if (status.state === 'completed') {
      const doneAt = performance.now()
      if (status.totals.events !== args!.events) {
        throw new FreshetError('INTERNAL', `backfill read ${status.totals.events} of ${args!.events} events`)
      }
      const processMs = doneAt - (plannedAt ?? startAt)
      return {
        joinMs: Math.round((plannedAt ?? startAt) - startAt),
        processMs: Math.round(processMs),
        eventsPerS: Math.round((args!.events * 1000) / (doneAt - startAt)),
        eventsPerSInclJoin: Math.round((args!.events * 1000) / (doneAt - startAt)),
        written: written - before,
        late: status.totals.late,
        deadLetters: status.totals.deadLetters,
        planMs: Math.round((plannedAt ?? doneAt) - startAt),
      }
    }
    if (status.state === 'failed' || status.state === 'cancelled') {
      throw new FreshetError('INTERNAL', `backfill ${id} ${status.state}: ${status.error ?? ''}`)
    }
  }
}

const baseline: RunResult[] = []
const replay: ReplayRun[] = []
try {
  await worker.ready
  for (let rep = 0; rep < args.reps; rep++) {
    // Alternate which goes first, so neither always gets the cold cache.
    const order = rep % 2 === 0 ? (['replay', 'baseline'] as const) : (['baseline', 'replay'] as const)
    for (const mode of order) {
      if (mode === 'replay') {
        const r = await runReplay()
        replay.push(r)
        log(
          `rep ${rep + 1}/${args.reps}: replay ${r.eventsPerS} events/s (${r.written} records, plan ${r.planMs} ms)`,
        )
      } else {
        const r = await runBareConsumer({
          kafka,
          topic: topic.name,
          events: args.events,
          maxBytesPerPartition: FETCH_BYTES,
        })
        baseline.push(r)
        log(
          `rep ${rep + 1}/${args.reps}: bare consume ${r.eventsPerSInclJoin} events/s incl. join (${r.eventsPerS} excl.)`,
        )
      }
    }
  }
} finally {
  await worker.close()
  await client.close()
  await parents.close()
  for (const name of [BACKFILL_QUEUE, RANGE_QUEUE]) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix })
    await queue
      .obliterate({ force: true })
      .catch((err: Error) => log(`could not obliterate ${name}: ${err.message}`))
    await queue.close()
  }
  await topic.drop().catch((err: Error) => log(`could not delete ${topic.name}: ${err.message}`))
  await kafka.close()
}

const replayRate = median(replay.map((r) => r.eventsPerS))
const bareRate = median(baseline.map((r) => r.eventsPerSInclJoin))
const ratio = Math.round((replayRate / bareRate) * 1000) / 1000
const result = {
  bench: 'backfill',
  events: args.events,
  reps: args.reps,
  cars: args.cars,
  partitions: topic.partitions,
  views: views.map((v) => v.ref),
  concurrency: args.concurrency,
  events_per_s: replayRate,
  baseline_events_per_s: bareRate,
  ratio,
  baseline_events_per_s_excl_join: median(baseline.map((r) => r.eventsPerS)),
  plan_ms: median(replay.map((r) => r.planMs)),
  records_written: replay[0]?.written ?? 0,
  late: replay[0]?.late ?? 0,
  dead_letters: replay[0]?.deadLetters ?? 0,
  target_ratio: TARGET_RATIO,
  meets_target: ratio >= TARGET_RATIO,
  runs: {
    replay: replay.map((r) => ({ events_per_s: r.eventsPerS, plan_ms: r.planMs, process_ms: r.processMs })),
    baseline: baseline.map((r) => ({
      events_per_s_incl_join: r.eventsPerSInclJoin,
      events_per_s: r.eventsPerS,
      join_ms: r.joinMs,
    })),
  },
}
const text =
  `backfill replay ${replayRate} events/s vs bare consume ${bareRate} events/s (incl. join): ratio ${ratio} ` +
  `(target ≥ ${TARGET_RATIO}) over ${args.events} events, ${result.records_written} records\n`
if (args.json) {
  process.stderr.write(text)
  process.stdout.write(`${JSON.stringify(result)}\n`)
} else {
  process.stdout.write(text)
}
