import { parseArgs } from 'node:util'
import { FreshetError } from '@freshet/feature-store'
import { joinNegativeValues } from '../cli/negative-values.js'

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/**
 * Parses a duration such as `500ms`, `90s`, `20m`, `1h30m`, `7d` into milliseconds.
 *
 * @example
 * parseDurationMs('1h30m') // 5_400_000
 */
export function parseDurationMs(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw invalid(`not a duration: '${text}' (use e.g. 90s, 20m, 1h30m, 7d)`)
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0))
}

/**
 * Parses a point in time: `now`, a duration ago (`-7d`), or an ISO-8601 timestamp.
 *
 * @example
 * parseTimeMs('-7d', Date.now()) // a week ago
 */
export function parseTimeMs(text: string, nowMs: number): number {
  if (text === 'now') return nowMs
  if (text.startsWith('-')) return nowMs - parseDurationMs(text.slice(1))
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw invalid(`not a time: '${text}' (use now, -7d or an ISO timestamp)`)
  return ms
}

/** The simulator's command line, before defaults that depend on the mode and the clock. */
export interface CliArgs {
  mode: 'historical' | 'realtime'
  cars: number
  seed: number
  from: string | undefined
  duration: string | undefined
  brokers: string[] | undefined
  intervalMs: number | undefined
  batchSize: number | undefined
  ridesPerCarHour: number | undefined
  dropoutsPerCarHour: number | undefined
  telemetryTopic: string | undefined
  ridesTopic: string | undefined
  help: boolean
}

export const USAGE = `Usage: npm run simulate -- [options]

  --mode historical|realtime  historical: write [from, from+duration) as fast as Kafka takes it (default)
                              realtime: event times follow the wall clock until stopped or duration passes
  --cars N                    fleet size (default 50)
  --seed N                    PRNG seed; same seed and options give the same events (default 42)
  --from T                    start: now, -7d, or ISO time (default -7d historical, now realtime)
  --duration D                e.g. 1h, 7d (default: up to now historical, unbounded realtime)
  --brokers h:p[,h:p]         Kafka brokers (default env KAFKA_BROKERS or 127.0.0.1:19092)
  --interval MS               telemetry period per car (default 1000)
  --batch N                   records per producer send (default 5000)
  --rides-per-car-hour X      mean demand (default 1.2)
  --dropouts-per-car-hour X   telemetry dropouts (20-120 s without samples) per car per hour on the road
                              (default 3; 0 disables)
  --telemetry-topic NAME      default car.telemetry.v1
  --rides-topic NAME          default ride.events.v1
`

/**
 * Parses simulator flags; throws a `CONFIG_INVALID` FreshetError with the reason on a bad value.
 *
 * @example
 * parseCliArgs(['--mode', 'realtime', '--cars', '10'])
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values } = parseOrThrow(argv)
  if (values.mode !== 'historical' && values.mode !== 'realtime') {
    throw invalid(`--mode must be historical or realtime, not '${values.mode}'`)
  }
  return {
    mode: values.mode,
    cars: int('--cars', values.cars),
    seed: int('--seed', values.seed),
    from: values.from,
    duration: values.duration,
    brokers: values.brokers?.split(',').map((b) => b.trim()),
    intervalMs: values.interval === undefined ? undefined : int('--interval', values.interval),
    batchSize: values.batch === undefined ? undefined : int('--batch', values.batch),
    ridesPerCarHour:
      values['rides-per-car-hour'] === undefined
        ? undefined
        : num('--rides-per-car-hour', values['rides-per-car-hour']),
    dropoutsPerCarHour:
      values['dropouts-per-car-hour'] === undefined
        ? undefined
        : num('--dropouts-per-car-hour', values['dropouts-per-car-hour']),
    telemetryTopic: values['telemetry-topic'],
    ridesTopic: values['rides-topic'],
    help: values.help,
  }
}

const OPTIONS = {
  mode: { type: 'string', default: 'historical' },
  cars: { type: 'string', default: '50' },
  seed: { type: 'string', default: '42' },
  from: { type: 'string' },
  duration: { type: 'string' },
  brokers: { type: 'string' },
  interval: { type: 'string' },
  batch: { type: 'string' },
  'rides-per-car-hour': { type: 'string' },
  'dropouts-per-car-hour': { type: 'string' },
  'telemetry-topic': { type: 'string' },
  'rides-topic': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function parseOrThrow(argv: readonly string[]) {
  const args = joinNegativeValues(argv)
  try {
    return parseArgs({ args, strict: true, options: OPTIONS })
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', `${(cause as Error).message}\n\n${USAGE}`, { cause })
  }
}

function int(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n)) throw invalid(`${flag} must be an integer, not '${text}'`)
  return n
}

function num(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n)) throw invalid(`${flag} must be a number, not '${text}'`)
  return n
}

function invalid(message: string): FreshetError {
  return new FreshetError('CONFIG_INVALID', message)
}
