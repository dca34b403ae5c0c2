/**
 * `npm run demo`: the whole system as far as it exists, on the embedded defaults.
 * Starts local Kafka and Redis (or uses KAFKA_BROKERS), runs the feature engine, simulates twenty minutes of
 * history and then the city in real time, and prints what arrives through the broker every few seconds: events,
 * the feature records the engine publishes, and what the sink lands in Redis and an embedded ClickHouse (with one
 * car's features read back from both). It ends with a point-in-time training set of the rides that completed.
 */
import {
  createKafka,
  featureTopicName,
  liveFeatureViews,
  livePatterns,
  runSimulator,
  type SimulatorProgress,
  startFeatureEngine,
  TOPICS,
} from '@freshet/pipelines'
import { localServicesOptions } from '../config.js'
import { startLocalServices } from '../local-services.js'
import { runBackfillStage } from './backfill-stage.js'
import { loadDemoConfig } from './config.js'
import { startEtaStage } from './eta-stage.js'
import { describeAlerts, describeFeatures, startFeatureTap } from './feature-tap.js'
import { startLiveTap, type TapReport } from './live-tap.js'
import { describeSample, describeStores, startStoreStage } from './store-stage.js'

const REPORT_EVERY_MS = 3000
const MODEL_DIR = 'serving/model'
const config = loadDemoConfig(process.argv.slice(2), process.env)
const say = (line: string) => console.log(`[demo] ${line}`)

say('starting local services (first run resolves Kafka jars from Maven Central and installs redis-server)…')
const t0 = Date.now()
const services = config.kafkaBrokers
  ? undefined
  : await startLocalServices(localServicesOptions(config.infra))
const brokers = config.kafkaBrokers ?? services!.kafka.brokers
if (services) {
  say(
    `kafka ${brokers.join(',')} (${services.startedHere.kafka ? 'started' : 'already running'}), ` +
      `redis ${services.redis.url} (${services.startedHere.redis ? 'started' : 'already running'}) in ${secs(Date.now() - t0)}`,
  )
  if (services.topics)
    say(
      `topics: created [${services.topics.created.join(', ')}], existing [${services.topics.existing.join(', ')}]`,
    )
}

const kafka = createKafka({ brokers, clientId: 'freshet-demo' })
// The ETA stage opens once the registry holds the views (the store stage registers them); ride events seen
// before that only fill the tap's counts.
let eta: Awaited<ReturnType<typeof startEtaStage>> | undefined
/** When the simulation caught up with the wall clock: from then on the demo is live. */
let realtimeFrom = Number.POSITIVE_INFINITY
let etaChain = Promise.resolve()
const tap = await startLiveTap(kafka, (event) => {
  const stage = eta
  if (stage === undefined) return
  // One at a time, in arrival order: a pickup must meet the prediction made at its assignment.
  etaChain = etaChain
    .then(() => stage.observe(event, realtimeFrom))
    .catch((err: unknown) => say(`eta failed: ${(err as Error).message}`))
})
const engine = await startFeatureEngine({
  kafka,
  views: liveFeatureViews,
  patterns: livePatterns,
  applicationId: 'freshet-demo-engine',
})
await engine.started
const features = await startFeatureTap(kafka, [...liveFeatureViews.map(featureTopicName), TOPICS.alerts.name])
const redisUrl = services?.redis.url ?? config.redisUrl
const stores = await startStoreStage({ kafka, views: liveFeatureViews, redisUrl, dataDir: config.dataDir })
say(`sink running: feature topics → Redis ${redisUrl} + ClickHouse (embedded chDB in ${config.dataDir}/chdb)`)
eta = await startEtaStage({ redisUrl, modelDir: MODEL_DIR, say })
say(
  `feature engine running ${liveFeatureViews.map((v) => v.ref).join(', ')} and pattern ` +
    `${livePatterns.map((p) => p.ref).join(', ')} (exactly-once, Kafka transactions; zone views in two phases)`,
)
const abort = new AbortController()
process.once('SIGINT', () => abort.abort())

// One simulation that starts twenty minutes ago: it catches up as fast as the broker takes it, so windows have
// something to close on, then follows the wall clock. Rides in flight at the catch-up complete live.
const historyMs = 20 * 60_000
const simStart = Date.now()
const onProgress = (p: SimulatorProgress) => {
  if (realtimeFrom !== Number.POSITIVE_INFINITY || p.simulatedMs < Date.now() - 2000) return
  realtimeFrom = Date.now()
  say(`simulated the last 20 minutes: ${p.produced} events in ${secs(realtimeFrom - simStart)}; now live`)
}
say(
  `simulating ${config.cars} cars: 20 minutes of history, then ${secs(config.durationMs)} in real time ` +
    `(seed ${config.seed}); Ctrl-C stops early`,
)
let sampling = false
const ticker = setInterval(() => {
  const events = tap.report()
  say(describe(events, REPORT_EVERY_MS))
  const report = features.report()
  say(describeFeatures(report))
  const alerts = describeAlerts(report.alerts)
  if (alerts) say(alerts)
  say(describeStores(stores.report()))
  const car = events.latest?.carId
  if (car && !sampling) {
    sampling = true // a slow read must not pile up behind the next tick
    stores
      .sample(car)
      .then((s) => say(describeSample(s).trimStart()))
      .catch((err: unknown) => say(`store read failed: ${(err as Error).message}`))
      .finally(() => {
        sampling = false
      })
  }
}, REPORT_EVERY_MS)
try {
  const summary = await runSimulator({
    mode: 'realtime',
    kafka,
    cars: config.cars,
    seed: config.seed,
    ridesPerCarHour: config.ridesPerCarHour,
    startMs: simStart - historyMs,
    durationMs: historyMs + config.durationMs,
    signal: abort.signal,
    onProgress,
    progressIntervalMs: 500,
  })
  await new Promise((resolve) => setTimeout(resolve, 1500)) // let the tap drain the last batch
  say(describe(tap.report(), REPORT_EVERY_MS))
  say(
    `done: ${summary.produced} events produced (${summary.telemetry} telemetry, ${summary.rideEvents} ride events); ` +
      `rides requested ${summary.ridesRequested}, completed ${summary.ridesCompleted}, cancelled ${summary.ridesCancelled}`,
  )
  await etaChain
  if (eta) say(eta.summary())
  await exportTrainingSet()
  await runBackfillStage(
    { kafka, redisUrl, views: liveFeatureViews, offline: stores.offline, say },
    { from: simStart - historyMs, to: simStart - 5 * 60_000 },
  )
} finally {
  clearInterval(ticker)
  await eta?.close()
  await stores.stop()
  await engine.stop()
  await features.stop()
  await tap.stop()
  await kafka.close()
  if (services && !config.keep && (services.startedHere.kafka || services.startedHere.redis)) {
    await services.stop()
    say('stopped the services this demo started (use --keep to leave them running)')
  }
}

function describe(r: TapReport, periodMs: number): string {
  const rides = Object.entries(r.rideEvents)
    .map(([type, n]) => `${type.replace('ride_', '')} ${n}`)
    .join(', ')
  const car = r.latest
  const sample = car
    ? ` | ${car.carId} in ${car.zoneId}: ${car.speedKmh.toFixed(0)} km/h, battery ${car.batteryPct.toFixed(0)}%, ${car.status}`
    : ''
  const invalid = r.invalid > 0 ? `, ${r.invalid} invalid` : ''
  return `kafka → telemetry ${(r.telemetry / (periodMs / 1000)).toFixed(0)}/s from ${r.cars} cars; rides: ${rides || 'none yet'}${invalid}${sample}`
}

/**
 * Labels = rides completed while the demo ran live (history rides would join nothing: their features were
 * ingested after their own time, and a point-in-time join refuses to see the future), one row per ride with
 * its true duration; features as known at drop-off.
 */
async function exportTrainingSet() {
  const labels = tap
    .completedRides()
    .filter((r) => r.ts >= realtimeFrom)
    .map((r) => ({ timestamp: r.ts, car: r.carId, ride: r.rideId, trip_s: r.actualDurationS }))
  if (labels.length === 0) {
    say('training set: no ride completed during the live run (try --duration 3m)')
    return
  }
  const set = await stores.exportTrainingSet(labels)
  say(
    `training set: ${labels.length} completed rides × 3 features → ${set.path} (${set.bytes} bytes Parquet)`,
  )
  for (const row of set.rows.slice(0, 3)) say(`  ${JSON.stringify(row)}`)
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
