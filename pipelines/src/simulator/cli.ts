/**
 * `npm run simulate -- --mode historical --cars 50 --from -7d`: the event source of Freshet, writing car
 * telemetry and ride events into Kafka. Logs are pino JSON lines on stdout.
 */
import { isFreshetError } from '@freshet/feature-store'
import { pino } from 'pino'
import { createKafka } from '../kafka/kafka.js'
import { parseCliArgs, parseDurationMs, parseTimeMs, USAGE } from './cli-args.js'
import { loadConfig } from './config.js'
import { runSimulator } from './run-simulator.js'

async function main(): Promise<number> {
  const config = loadConfig()
  const log = pino({ name: 'simulator', level: config.LOG_LEVEL })
  try {
    const args = parseCliArgs(process.argv.slice(2))
    if (args.help) {
      process.stdout.write(USAGE)
      return 0
    }
    const nowMs = Date.now()
    const historical = args.mode === 'historical'
    const startMs = parseTimeMs(args.from ?? (historical ? '-7d' : 'now'), nowMs)
    const durationMs =
      args.duration !== undefined ? parseDurationMs(args.duration) : historical ? nowMs - startMs : undefined
    const brokers = args.brokers ?? config.KAFKA_BROKERS

    const abort = new AbortController()
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping after the batch in flight')
      abort.abort()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)

    const kafka = createKafka({ brokers, clientId: 'freshet-simulator', logger: log })
    log.info(
      {
        mode: args.mode,
        cars: args.cars,
        seed: args.seed,
        from: new Date(startMs).toISOString(),
        durationMs,
        brokers,
      },
      'simulator starting',
    )
    try {
      const summary = await runSimulator({
        mode: args.mode,
        kafka,
        startMs,
        durationMs,
        cars: args.cars,
        seed: args.seed,
        telemetryIntervalMs: args.intervalMs,
        batchSize: args.batchSize,
        ridesPerCarHour: args.ridesPerCarHour,
        telemetryDropoutsPerCarHour: args.dropoutsPerCarHour,
        topics: { telemetry: args.telemetryTopic, rides: args.ridesTopic },
        signal: abort.signal,
        onProgress: (p) =>
          log.info({ ...p, simulatedAt: new Date(p.simulatedMs).toISOString() }, 'simulator progress'),
      })
      log.info({ ...summary, simulatedAt: new Date(summary.simulatedMs).toISOString() }, 'simulator finished')
    } finally {
      await kafka.close()
    }
    return 0
  } catch (err) {
    if (isFreshetError(err)) log.error({ code: err.code, retriable: err.retriable, err }, err.message)
    else log.error({ err }, 'simulator failed')
    return 1
  }
}

process.exitCode = await main()
