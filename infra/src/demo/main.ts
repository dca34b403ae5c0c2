/**
 * `npm run demo`: the whole system as far as it exists, on the embedded defaults.
 * Starts local Kafka and Redis (or uses KAFKA_BROKERS), runs the feature engine, simulates twenty minutes of
 * history and then the city in real time, and prints what arrives through the broker every few seconds: events
 * and the feature records the engine publishes.
 */
import {
  createKafka,
  featureTopicName,
  liveFeatureViews,
  livePatterns,
  runSimulator,
  startFeatureEngine,
  TOPICS,
} from '@freshet/pipelines'
import { startLocalServices } from '../local-services.js'
import { loadDemoConfig } from './config.js'
import { describeAlerts, describeFeatures, startFeatureTap } from './feature-tap.js'
import { startLiveTap, type TapReport } from './live-tap.js'

const REPORT_EVERY_MS = 3000
const config = loadDemoConfig(process.argv.slice(2), process.env)
const say = (line: string) => console.log(`[demo] ${line}`)

say('starting local services (first run resolves Kafka jars from Maven Central and installs redis-server)…')
const t0 = Date.now()
const services = config.kafkaBrokers ? undefined : await startLocalServices({})
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
const tap = await startLiveTap(kafka)
const engine = await startFeatureEngine({
  kafka,
  views: liveFeatureViews,
  patterns: livePatterns,
  applicationId: 'freshet-demo-engine',
})
await engine.started
const features = await startFeatureTap(kafka, [...liveFeatureViews.map(featureTopicName), TOPICS.alerts.name])
say(
  `feature engine running ${liveFeatureViews.map((v) => v.ref).join(', ')} and pattern ` +
    `${livePatterns.map((p) => p.ref).join(', ')} (exactly-once, Kafka transactions; zone views in two phases)`,
)
const abort = new AbortController()
process.once('SIGINT', () => abort.abort())

// Twenty minutes of history first, as fast as the broker takes it, so windows have something to close on.
const historyMs = 20 * 60_000
const history = await runSimulator({
  mode: 'historical',
  kafka,
  cars: config.cars,
  seed: config.seed,
  ridesPerCarHour: config.ridesPerCarHour,
  startMs: Date.now() - historyMs,
  durationMs: historyMs,
})
say(`simulated the last 20 minutes: ${history.produced} events in ${secs(history.elapsedMs)}`)
say(
  `simulating ${config.cars} cars in real time for ${secs(config.durationMs)} (seed ${config.seed}); Ctrl-C stops early`,
)

const ticker = setInterval(() => {
  say(describe(tap.report(), REPORT_EVERY_MS))
  const report = features.report()
  say(describeFeatures(report))
  const alerts = describeAlerts(report.alerts)
  if (alerts) say(alerts)
}, REPORT_EVERY_MS)
try {
  const summary = await runSimulator({
    mode: 'realtime',
    kafka,
    cars: config.cars,
    seed: config.seed,
    ridesPerCarHour: config.ridesPerCarHour,
    durationMs: config.durationMs,
    signal: abort.signal,
  })
  await new Promise((resolve) => setTimeout(resolve, 1500)) // let the tap drain the last batch
  say(describe(tap.report(), REPORT_EVERY_MS))
  say(
    `done: ${summary.produced} events produced (${summary.telemetry} telemetry, ${summary.rideEvents} ride events); ` +
      `rides requested ${summary.ridesRequested}, completed ${summary.ridesCompleted}, cancelled ${summary.ridesCancelled}`,
  )
} finally {
  clearInterval(ticker)
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

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
