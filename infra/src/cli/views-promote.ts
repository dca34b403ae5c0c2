/**
 * `freshet views promote <view>:v<n> [--force]`: makes a registered view version the promoted one, the version
 * serving answers for the bare view name. Without --force it requires a completed backfill of that version into
 * the online store (read from the backfill queues), so the new version does not start serving from an online
 * store that only holds what the live engine wrote since it went live. A compare-and-set: an operator who
 * promoted meanwhile wins and this one changes nothing (PROMOTION_CONFLICT).
 */
import { parseArgs } from 'node:util'
import { type BackfillEvidence, FeatureRegistry, parseViewRef } from '@freshet/feature-store'
import { createBackfillClient, DEFAULT_BACKFILL_PREFIX } from '@freshet/pipelines'
import { createRedisRegistryStore, DEFAULT_REGISTRY_KEY } from '@freshet/sinks'
import { z } from 'zod'
import {
  checkFlags,
  DEFAULT_REDIS_URL,
  REGISTRY_OPTIONS,
  registryFields,
  registryValues,
} from './registry-flags.js'
import { parseOrUsage, runCommand } from './run-command.js'
import { formatPromotion } from './views-output.js'

const USAGE = `usage: freshet views promote <view>:v<n> [--force] [--json] [--redis-url URL] [--registry-key KEY] [--prefix P]

  Promotes a registered view version: serving answers GET /v1/features/<view>/{entity} (the bare view name)
  from it from now on; versioned reads (<view>:v<n>) are unaffected. Refuses unless a backfill of exactly that
  version into the online store completed (freshet backfill start --view <view>:v<n> --from -<ttl> --wait),
  and refuses, changing nothing, when someone else promoted the view meanwhile. Rolling back is promoting the
  old version again.

  --force              promote without a completed backfill (e.g. the backfill queues were lost with Redis)
  --json               print the promotion as JSON
  --redis-url URL      the registry's and the backfill queues' Redis (env REDIS_URL, default ${DEFAULT_REDIS_URL})
  --registry-key KEY   the registry's hash (default ${DEFAULT_REGISTRY_KEY})
  --prefix P           the backfill queues' key prefix (env BACKFILL_PREFIX, default ${DEFAULT_BACKFILL_PREFIX})`

const configSchema = z.object({
  ref: z.string().refine((r) => parseViewRef(r) !== undefined, 'must be a view version like car_motion:v2'),
  force: z.boolean(),
  ...registryFields,
  prefix: z.string().min(1, 'must not be empty'),
})

type PromoteConfig = z.infer<typeof configSchema>

const FLAG_NAMES: Record<string, string> = {
  ref: 'the view version',
  prefix: '--prefix (or BACKFILL_PREFIX)',
}

/** Parses flags and environment once, failing with every problem listed; `help` means "print usage". */
function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): PromoteConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...REGISTRY_OPTIONS,
      force: { type: 'boolean', default: false },
      prefix: { type: 'string' },
    },
  })
  if (values.help) return 'help'
  if (positionals.length !== 1) {
    throw new Error(
      positionals.length === 0
        ? 'name the view version to promote'
        : `unexpected argument '${positionals[1]}'`,
    )
  }
  const input = {
    ref: positionals[0],
    force: values.force,
    ...registryValues(values, env),
    prefix: values.prefix ?? (env.BACKFILL_PREFIX || DEFAULT_BACKFILL_PREFIX),
  }
  return checkFlags('freshet views promote', configSchema, input, FLAG_NAMES)
}

/** The newest completed backfill of `ref` that wrote the online store, from the backfill queues. */
async function completedBackfill(config: PromoteConfig, ref: string): Promise<BackfillEvidence | undefined> {
  const client = createBackfillClient({ redisUrl: config.redisUrl, prefix: config.prefix })
  try {
    const [newest] = await client.completed({ view: ref, targets: ['online', 'both'] })
    if (newest === undefined) return undefined
    return {
      id: newest.id,
      from: newest.request.from,
      to: newest.request.to,
      ...(newest.finishedAt === undefined ? {} : { finishedAt: newest.finishedAt }),
    }
  } finally {
    await client.close()
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const config = parseOrUsage(() => parseConfig(argv, process.env), USAGE)
  if (typeof config === 'number') return config
  const settings = config
  const registry = new FeatureRegistry({
    store: createRedisRegistryStore({ url: settings.redisUrl, key: settings.registryKey }),
  })
  try {
    // The backfill queues are opened only once the registry has vouched for the ref (and Redis answered).
    const promotion = await registry.promote(
      settings.ref,
      settings.force ? {} : { requireBackfill: (ref) => completedBackfill(settings, ref) },
    )
    process.stdout.write(
      settings.json ? `${JSON.stringify(promotion, null, 2)}\n` : `${formatPromotion(promotion)}\n`,
    )
    return 0
  } finally {
    await registry.close()
  }
}

runCommand(main, process.argv.slice(2))
