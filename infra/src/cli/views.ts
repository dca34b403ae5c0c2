/**
 * `freshet views [--json] [--redis-url URL] [--registry-key KEY]`: registers the code's feature views in the
 * Redis registry (idempotent) and lists every registered version, marking the promoted one of each view. A
 * changed definition under a published version fails with REGISTRY_CONFLICT (exit 1) and registers nothing.
 * `freshet views promote` (views-promote.ts) changes which version is promoted.
 */
import { parseArgs } from 'node:util'
import { FeatureRegistry } from '@freshet/feature-store'
import { featureViews } from '@freshet/pipelines'
import { createRedisRegistryStore, DEFAULT_REGISTRY_KEY, describeRedisUrl } from '@freshet/sinks'
import { z } from 'zod'
import {
  checkFlags,
  DEFAULT_REDIS_URL,
  REGISTRY_OPTIONS,
  registryFields,
  registryValues,
} from './registry-flags.js'
import { parseOrUsage, runCommand } from './run-command.js'
import { formatRegistrationSummary, formatViewsTable } from './views-output.js'

const USAGE = `usage: freshet views [--json] [--redis-url URL] [--registry-key KEY]

  Registers this code's feature views in the registry (a no-op for unchanged ones) and lists every
  registered view version; PROMOTED marks the version serving answers for the bare view name from (the first
  one registered, until \`freshet views promote <view>:v<n>\`). Exits 1 when a published version's definition
  changed without a version bump.

  --json               print { registrations, views, promoted } as JSON instead of a table
  --redis-url URL      the registry's Redis (env REDIS_URL, default ${DEFAULT_REDIS_URL})
  --registry-key KEY   the registry's hash (default ${DEFAULT_REGISTRY_KEY})`

const configSchema = z.object(registryFields)

type ViewsConfig = z.infer<typeof configSchema>

/** Parses flags and environment once, failing with every problem listed; `help` means "print usage". */
function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ViewsConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: REGISTRY_OPTIONS,
  })
  if (values.help) return 'help'
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`)
  return checkFlags('freshet views', configSchema, registryValues(values, env))
}

async function main(argv: readonly string[]): Promise<number> {
  const config = parseOrUsage(() => parseConfig(argv, process.env), USAGE)
  if (typeof config === 'number') return config

  const target = describeRedisUrl(config.redisUrl)
  const registry = new FeatureRegistry({
    store: createRedisRegistryStore({ url: config.redisUrl, key: config.registryKey }),
  })
  try {
    const registrations = await registry.register(featureViews)
    const [views, promoted] = await Promise.all([registry.list(), registry.listPromoted()])
    if (config.json) {
      const outcomes = registrations.map(({ ref, outcome }) => ({ ref, outcome }))
      process.stdout.write(`${JSON.stringify({ registrations: outcomes, views, promoted }, null, 2)}\n`)
    } else {
      process.stdout.write(`${formatViewsTable(views, promoted)}\n\n`)
      process.stdout.write(`${formatRegistrationSummary(registrations, target, config.registryKey)}\n`)
    }
    return 0
  } finally {
    await registry.close()
  }
}

runCommand(main, process.argv.slice(2))
