import { parseArgs } from 'node:util'
import { FreshetError } from '@freshet/feature-store'
import {
  BACKFILL_TARGETS,
  type BackfillTarget,
  DEFAULT_BACKFILL_PREFIX,
  joinNegativeValues,
} from '@freshet/pipelines'

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:16379'

export const USAGE = `usage: freshet backfill [start] --view REF[,REF…]|all --from TIME [--to TIME] [--target T] [--wait]
       freshet backfill rebuild-online [--wait]
       freshet backfill status ID [--watch]
       freshet backfill cancel ID
       freshet backfill list [--limit N]

  Replays Kafka history through the feature engine's code into the stores, as BullMQ jobs run by the sink
  deployable's backfill worker. A backfill of [from, to) writes the final record of every window whose last
  millisecond lies in the range, reading from before 'from' to warm windows up.

  start            queue a backfill and print its id (the default command)
    --view REF       view versions (car_motion:v2), comma-separated or repeated, or 'all'
    --from TIME      2026-11-01T00:00Z, 2026-11-01, now, -2h (relative to now) or epoch ms
    --to TIME        default now
    --target T       ${BACKFILL_TARGETS.join(' | ')} (default both)
    --wait           then watch it until it ends (exit 1 unless it completed)
  rebuild-online   Redis lost its data: rebuild the online store of every view from the input topics (the
                   last ttl's worth: older values would be expired anyway). The live engine and sink keep
                   running meanwhile. (\`npm run sink -- replay-online\` rebuilds from the feature topics.)
  status ID        progress per partition: events read / planned, rate, ETA
    --watch          redraw until it ends
  cancel ID        stop its children at their next batch; what was written stays (correct, final records)
  list             recent backfills, newest first

  --json             JSON instead of text
  --redis-url URL    the queues' Redis (env REDIS_URL, default ${DEFAULT_REDIS_URL})
  --prefix P         the queues' key prefix (env BACKFILL_PREFIX, default ${DEFAULT_BACKFILL_PREFIX})`

const COMMANDS = ['start', 'rebuild-online', 'status', 'cancel', 'list'] as const
type Command = (typeof COMMANDS)[number]

export interface BackfillArgs {
  command: Command
  id?: string
  views: string[]
  from?: string
  to?: string
  target: BackfillTarget
  wait: boolean
  limit: number
  json: boolean
  redisUrl: string
  prefix: string
}

const OPTIONS = {
  view: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  target: { type: 'string', default: 'both' },
  wait: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  limit: { type: 'string', default: '20' },
  json: { type: 'boolean', default: false },
  'redis-url': { type: 'string' },
  prefix: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS })
}

/** Parses argv and the environment once; throws CONFIG_INVALID naming the problem; `help` prints usage. */
export function parseBackfillArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BackfillArgs | 'help' {
  const args = joinNegativeValues(argv)
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', `freshet backfill: ${(cause as Error).message}`, { cause })
  }
  const { values, positionals } = parsed
  if (values.help) return 'help'
  const invalid = (why: string) => new FreshetError('CONFIG_INVALID', `freshet backfill: ${why}`)
  const [first, ...rest] = positionals
  const command = (first ?? 'start') as Command
  if (!COMMANDS.includes(command)) throw invalid(`unknown command '${first}'`)
  const needsId = command === 'status' || command === 'cancel'
  if (needsId && rest.length !== 1) throw invalid(`${command} needs one backfill id`)
  if (!needsId && rest.length > 0) throw invalid(`unexpected argument '${rest[0]}'`)
  if (!(BACKFILL_TARGETS as readonly string[]).includes(values.target!)) {
    throw invalid(`--target must be one of ${BACKFILL_TARGETS.join(', ')}`)
  }
  const views = (values.view ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
  if (command === 'start' && (views.length === 0 || values.from === undefined)) {
    throw invalid('start needs --view and --from')
  }
  const limit = Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1) throw invalid('--limit must be a positive integer')
  const redisUrl = values['redis-url'] ?? (env.REDIS_URL || DEFAULT_REDIS_URL)
  // The message never repeats the value: a URL may carry a password.
  if (!/^rediss?:\/\/\S+$/.test(redisUrl)) throw invalid('--redis-url (or REDIS_URL) must be a redis:// URL')
  return {
    command,
    ...(needsId ? { id: rest[0]! } : {}),
    views,
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values.to === undefined ? {} : { to: values.to }),
    target: values.target as BackfillTarget,
    wait: values.wait || values.watch,
    limit,
    json: values.json,
    redisUrl,
    prefix: values.prefix ?? (env.BACKFILL_PREFIX || DEFAULT_BACKFILL_PREFIX),
  }
}
