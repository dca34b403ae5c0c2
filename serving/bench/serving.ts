/**
 * `npm run bench -- serving [--json]`: the ETA API under concurrent load against what it is built from, in one run.
 *
 * - `/v1/eta` p50/p99 latency (autocannon, `--connections` in flight) and req/s (`--load-connections` in flight),
 *   served by a separate process as deployed (auth, rate limiter, request log, metrics, validation);
 * - baselines: the same Redis pipeline (the HMGETs of one request: the car's hashes and the zones') sent by a bare
 *   ioredis client, and a bare `session.run` of the same model on a 2-row batch, each with `--connections` calls in
 *   flight; and a Hono hello-world route's req/s under the same load;
 * - the floor: req/s of a Hono route doing only the HTTP work of the contract (parse the JSON body, answer with a
 *   body of a real answer's size; no Redis, no model; see bench-server.ts), under the same load.
 *   `floor_rps_ratio` (floor ÷ hello-world) bounds what any implementation can reach before it reads a feature
 *   or runs the model; `rps_of_floor` is ours ÷ floor.
 *
 * Targets: p99 ≤ 1.25 × (bare pipeline p99 + bare run p99); req/s ≥ 0.5 × hello-world. Medians of `--reps` runs.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { CITY_ZONES } from '@freshet/pipelines'
import { parseModelCard } from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import autocannon from 'autocannon'
import { bareCalls } from './bare-calls.js'
import { benchWorld } from './bench-world.js'
import { closedLoop, type LatencyRun, median, summarise } from './measure.js'

const TARGETS = { p99Ratio: 1.25, rpsRatio: 0.5 }
const root = fileURLToPath(new URL('../..', import.meta.url))
const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    'load-connections': { type: 'string', default: '32' },
    cars: { type: 'string', default: '500' },
    'model-dir': { type: 'string' },
  },
})
const reps = Number(flags.reps)
const durationS = Number(flags.duration)
const connections = Number(flags.connections)
const loadConnections = Number(flags['load-connections'])
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const log = (...args: unknown[]) => console.error('[serving bench]', ...args)
const apiKey = `bench-${randomUUID()}`

const world = await benchWorld(redisUrl, Number(flags.cars), randomUUID().slice(0, 8))
let modelDir = flags['model-dir'] ?? join(root, 'serving/model')
let modelName = flags['model-dir'] === undefined ? 'committed' : 'given'
if (flags['model-dir'] === undefined && !existsSync(join(modelDir, 'model-card.json'))) {
  // No trained model yet: a linear model with the contract's inputs, so the bench still measures the path.
  modelDir = join(tmpdir(), `freshet-serving-bench-${randomUUID().slice(0, 8)}`)
  await linearModelDir({ dir: modelDir, version: 'eta-bench-linear' })
  modelName = 'linear-test-model'
}
const card = parseModelCard(await readFile(join(modelDir, 'model-card.json'), 'utf8'), modelDir)
log(`model ${card.model_version} (${modelName}), ${card.inputs.length} inputs; ${world.cars.length} cars`)

// Request bodies: each car with a pickup about 1-2 km away and a drop-off across town.
const bodies = world.cars.map((carId, i) => {
  const zone = CITY_ZONES[(i * 7) % CITY_ZONES.length]!
  return JSON.stringify({
    carId,
    pickup: {
      lat: CITY_ZONES[i % CITY_ZONES.length]!.centre.lat + 0.01,
      lon: CITY_ZONES[i % CITY_ZONES.length]!.centre.lon,
    },
    dropoff: zone.centre,
  })
})

function startServer(
  mode: 'eta' | 'hello' | 'floor',
  floorResponse?: string,
): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    join(root, 'node_modules/.bin/tsx'),
    [
      join(root, 'serving/bench/bench-server.ts'),
      JSON.stringify({
        mode,
        redisUrl,
        modelDir,
        keyPrefix: world.keyPrefix,
        registryKey: world.registryKey,
        apiKey,
        floorResponse,
      }),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve({ port: JSON.parse(line).port, child }),
    )
  })
}

async function stopServer(child: ChildProcess) {
  child.removeAllListeners('exit')
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

/** Autocannon against a URL; latencies taken from each response's own timing (autocannon's histogram is whole ms). */
async function load(options: autocannon.Options): Promise<LatencyRun & { non2xx: number }> {
  const samples: number[] = []
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, r) => (err ? reject(err) : resolve(r)))
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) samples.push(ms)
    })
  })
  return {
    samples,
    perSecond: result.requests.total / (result.duration || durationS),
    errors: result.errors,
    non2xx: result.non2xx,
  }
}

function etaLoad(port: number, conns: number, seconds: number) {
  let i = 0
  return load({
    url: `http://127.0.0.1:${port}`,
    connections: conns,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/eta',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }),
      },
    ],
  })
}

// Bare baselines in this process: the same HMGETs as one request, and the same model on a 2-row batch.
const bare = await bareCalls({ redisUrl, keyPrefix: world.keyPrefix, modelDir, card })
const barePipeline = (i: number) => bare.pipeline(world.cars[i % world.cars.length]!)
const bareRun = () => bare.run()

/** One real `/v1/eta` answer: the floor server answers with a body of its shape and size. */
async function capturedResponse(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/eta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: bodies[0]!,
  })
  if (res.status !== 200) throw new Error(`/v1/eta answered ${res.status}: ${await res.text()}`)
  return res.text()
}

let f = 0
const runs: Record<string, number>[] = []
const eta = await startServer('eta')
const hello = await startServer('hello')
const floor = await startServer('floor', await capturedResponse(eta.port))
try {
  // Warm-up: JIT, connection pools, the model's first runs.
  await etaLoad(eta.port, loadConnections, 2)
  await closedLoop(connections, 1000, barePipeline)
  await closedLoop(connections, 1000, bareRun)
  for (let rep = 0; rep < reps; rep++) {
    const latency = await etaLoad(eta.port, connections, durationS)
    const throughput = await etaLoad(eta.port, loadConnections, durationS)
    const floorRun = await load({
      url: `http://127.0.0.1:${floor.port}`,
      connections: loadConnections,
      duration: durationS,
      requests: [
        {
          method: 'POST',
          path: '/v1/eta',
          setupRequest: (req) => ({ ...req, body: bodies[f++ % bodies.length]! }),
        },
      ],
    })
    const helloRun = await load({
      url: `http://127.0.0.1:${hello.port}/hello`,
      connections: loadConnections,
      duration: durationS,
    })
    const mget = await closedLoop(connections, durationS * 1000, barePipeline)
    const run = await closedLoop(connections, durationS * 1000, bareRun)
    const failed =
      latency.errors +
      latency.non2xx +
      throughput.errors +
      throughput.non2xx +
      floorRun.errors +
      floorRun.non2xx +
      mget.errors +
      run.errors
    if (failed > 0) throw new Error(`rep ${rep + 1}: ${failed} failed requests or calls`)
    const l = summarise(latency.samples)
    const r = {
      p50_ms: l.p50,
      p99_ms: l.p99,
      latency_rps: latency.perSecond,
      load_p99_ms: summarise(throughput.samples).p99,
      rps: throughput.perSecond,
      hello_rps: helloRun.perSecond,
      floor_rps: floorRun.perSecond,
      mget_p50_ms: summarise(mget.samples).p50,
      mget_p99_ms: summarise(mget.samples).p99,
      run_p50_ms: summarise(run.samples).p50,
      run_p99_ms: summarise(run.samples).p99,
    }
    runs.push(r)
    log(
      `rep ${rep + 1}/${reps}`,
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
    )
  }
} finally {
  await Promise.allSettled([stopServer(eta.child), stopServer(hello.child), stopServer(floor.child)])
  await bare.close()
  await world.close()
  if (modelName === 'linear-test-model') await rm(modelDir, { recursive: true, force: true })
}

const m = (field: string) => median(runs.map((r) => r[field]!))
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d
const baseline = m('mget_p99_ms') + m('run_p99_ms')
const result = {
  bench: 'serving',
  p50_ms: round(m('p50_ms')),
  p99_ms: round(m('p99_ms')),
  baseline_p99_ms: round(baseline),
  p99_ratio: round(m('p99_ms') / baseline),
  p99_target: TARGETS.p99Ratio,
  rps: Math.round(m('rps')),
  hello_rps: Math.round(m('hello_rps')),
  rps_ratio: round(m('rps') / m('hello_rps')),
  rps_target: TARGETS.rpsRatio,
  floor_rps: Math.round(m('floor_rps')),
  floor_rps_ratio: round(m('floor_rps') / m('hello_rps')),
  rps_of_floor: round(m('rps') / m('floor_rps')),
  mget_p99_ms: round(m('mget_p99_ms')),
  run_p99_ms: round(m('run_p99_ms')),
  load_p99_ms: round(m('load_p99_ms')),
  connections,
  load_connections: loadConnections,
  duration_s: durationS,
  reps,
  cars: world.cars.length,
  model: card.model_version,
  model_source: modelName,
  runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
}
if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`)
else console.log(result)
log(
  `p99 ${result.p99_ms} ms vs baseline ${result.baseline_p99_ms} ms: ratio ${result.p99_ratio} (target ≤ ${TARGETS.p99Ratio}); ` +
    `${result.rps} req/s vs hello ${result.hello_rps}: ratio ${result.rps_ratio} (target ≥ ${TARGETS.rpsRatio})`,
)
