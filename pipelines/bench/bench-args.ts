import { parseArgs } from 'node:util'
import { FreshetError } from '@freshet/feature-store'
import { z } from 'zod'

export const USAGE = `Usage: npm run bench -- pipeline [options]

  --events N         telemetry events in the prefilled topic (default 1000000)
  --reps N           runs of each mode, interleaved; medians are reported (default 3)
  --cars N           fleet size, i.e. distinct keys in the topic (default 1000)
  --seed N           simulator seed (default 7)
  --reuse-topic      keep the prefilled topic and reuse it next time (named by events/cars/seed; reused only
                     when it holds exactly --events records, else refilled)
  --memory-keys N    distinct cars loaded for the memory figure (default 1000000; 0 skips it)
  --key-minutes N    samples per key in the memory figure, one per minute, so each key holds N panes (default 1)
  --json             one JSON line on stdout (summary goes to stderr)
`

const Args = z.object({
  events: z.coerce.number().int().min(1000).default(1_000_000),
  reps: z.coerce.number().int().min(1).max(20).default(3),
  cars: z.coerce.number().int().min(1).max(99_999).default(1000),
  seed: z.coerce.number().int().default(7),
  reuseTopic: z.boolean().default(false),
  memoryKeys: z.coerce.number().int().min(0).default(1_000_000),
  keyMinutes: z.coerce.number().int().min(1).max(60).default(1),
  json: z.boolean().default(false),
  brokers: z
    .string()
    .default('127.0.0.1:19092')
    .transform((s) => s.split(',').filter(Boolean)),
})

export type BenchArgs = z.output<typeof Args>

/**
 * Parses the pipeline bench's flags (and KAFKA_BROKERS); a bad flag fails with CONFIG_INVALID before any work.
 * Returns undefined for `--help`.
 *
 * @example
 * const args = parseBenchArgs(['--events', '200000', '--json'], process.env)
 */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchArgs | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        events: { type: 'string' },
        reps: { type: 'string' },
        cars: { type: 'string' },
        seed: { type: 'string' },
        'reuse-topic': { type: 'boolean' },
        'memory-keys': { type: 'string' },
        'key-minutes': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', `${(cause as Error).message}\n\n${USAGE}`, { cause })
  }
  if (values.help) return undefined
  const parsed = Args.safeParse({
    events: values.events,
    reps: values.reps,
    cars: values.cars,
    seed: values.seed,
    reuseTopic: values['reuse-topic'],
    memoryKeys: values['memory-keys'],
    keyMinutes: values['key-minutes'],
    json: values.json,
    brokers: env.KAFKA_BROKERS || undefined,
  })
  if (!parsed.success) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `invalid bench flags: ${z.prettifyError(parsed.error)}\n\n${USAGE}`,
    )
  }
  return parsed.data
}
