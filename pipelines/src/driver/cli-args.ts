import { parseArgs } from 'node:util'
import { type AnyFeatureView, FreshetError } from '@freshet/feature-store'
import { parseDurationMs } from '../simulator/cli-args.js'

export const USAGE = `Usage: tsx pipelines/src/driver/cli.ts <command>

Run feature views over an events file, offline, as the live engine would:
  --view NAME[:vN]        view to run (latest version when :vN is left out); see --list
  --events FILE           one JSON event per line (car_telemetry or ride_event objects); lines of
                          another schema than the view reads are skipped, invalid lines dead-lettered
  --out FILE              feature records, one JSON per line (default: stdout)
  --partitions N          partitions of the source topic (default: the topic catalog's)
  --batch N               records per processing batch (default 500; final records do not depend on it)
  --dead-letters FILE     also write dead letters (line, code, reason, value) as JSON lines
  --late FILE             also write late events (line, view, windows, watermark) as JSON lines

Write an events file from the simulator:
  --generate              instead of running a view
  --cars N                fleet size (default 10)
  --duration D            e.g. 30m, 2h (default 30m)
  --seed N                same seed, same events (default 1)
  --from T                ISO start time (default 2025-01-06T07:00:00Z, a Monday rush hour)
  --out FILE              default: stdout

  --list                  print the registered views and their output names
  -h, --help
`

export type DriverCliArgs =
  | { command: 'help' }
  | { command: 'list' }
  | {
      command: 'run'
      view: string
      events: string
      out: string | undefined
      partitions: number | undefined
      batchSize: number | undefined
      deadLetters: string | undefined
      late: string | undefined
    }
  | {
      command: 'generate'
      cars: number
      durationMs: number
      seed: number
      startMs: number
      out: string | undefined
    }

const OPTIONS = {
  view: { type: 'string' },
  events: { type: 'string' },
  out: { type: 'string' },
  partitions: { type: 'string' },
  batch: { type: 'string' },
  'dead-letters': { type: 'string' },
  late: { type: 'string' },
  generate: { type: 'boolean', default: false },
  cars: { type: 'string', default: '10' },
  duration: { type: 'string', default: '30m' },
  seed: { type: 'string', default: '1' },
  from: { type: 'string', default: '2025-01-06T07:00:00Z' },
  list: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/**
 * Parses the driver's command line; throws a `CONFIG_INVALID` FreshetError naming the bad flag.
 *
 * @example
 * parseDriverArgs(['--view', 'car_motion:v1', '--events', 'in.jsonl']) // { command: 'run', … }
 */
export function parseDriverArgs(argv: readonly string[]): DriverCliArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', (cause as Error).message, { cause })
  }
  if (values.help) return { command: 'help' }
  if (values.list) return { command: 'list' }
  if (values.generate) {
    return {
      command: 'generate',
      cars: positiveInt('--cars', values.cars),
      durationMs: parseDurationMs(values.duration),
      seed: int('--seed', values.seed),
      startMs: isoTime('--from', values.from),
      out: values.out,
    }
  }
  if (values.view === undefined || values.events === undefined) {
    throw new FreshetError('CONFIG_INVALID', 'give --view and --events, or --generate, or --list')
  }
  return {
    command: 'run',
    view: values.view,
    events: values.events,
    out: values.out,
    partitions: values.partitions === undefined ? undefined : positiveInt('--partitions', values.partitions),
    batchSize: values.batch === undefined ? undefined : positiveInt('--batch', values.batch),
    deadLetters: values['dead-letters'],
    late: values.late,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: OPTIONS })
}

/**
 * The view a `--view` flag names: `car_motion:v1` exactly, or `car_motion` at its latest version.
 *
 * @example
 * findView(featureViews, 'car_motion').ref // 'car_motion:v1'
 */
export function findView(views: readonly AnyFeatureView[], spec: string): AnyFeatureView {
  const found = spec.includes(':')
    ? views.find((v) => v.ref === spec)
    : views.filter((v) => v.name === spec).sort((a, b) => b.version - a.version)[0]
  if (found) return found
  throw new FreshetError(
    'CONFIG_INVALID',
    `no feature view '${spec}'; registered: ${views.map((v) => v.ref).join(', ')}`,
  )
}

function int(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n))
    throw new FreshetError('CONFIG_INVALID', `${flag} must be an integer, not '${text}'`)
  return n
}

function positiveInt(flag: string, text: string): number {
  const n = int(flag, text)
  if (n < 1) throw new FreshetError('CONFIG_INVALID', `${flag} must be at least 1, not '${text}'`)
  return n
}

/** Absolute times only: a relative one (-7d, now) would make the file depend on when it was written. */
function isoTime(flag: string, text: string): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new FreshetError('CONFIG_INVALID', `${flag} must be an ISO time, not '${text}'`)
  return ms
}
