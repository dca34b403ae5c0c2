/**
 * The flags the registry commands (`freshet views`, `freshet views promote`) share, how they are checked, and
 * how a command reports bad flags: one place, so the commands cannot drift apart.
 */
import { FreshetError } from '@freshet/feature-store'
import { DEFAULT_REGISTRY_KEY } from '@freshet/sinks'
import { z } from 'zod'

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:16379'

/** `parseArgs` options of the shared flags: --json, --redis-url, --registry-key and --help. */
export const REGISTRY_OPTIONS = {
  json: { type: 'boolean', default: false },
  'redis-url': { type: 'string' },
  'registry-key': { type: 'string', default: DEFAULT_REGISTRY_KEY },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** Schema fields of the shared flags, to spread into a command's `z.object`. */
export const registryFields = {
  json: z.boolean(),
  // The message never repeats the value: a URL may carry a password.
  redisUrl: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL'),
  registryKey: z.string().min(1, 'must not be empty'),
}

const REGISTRY_FLAG_NAMES: Record<string, string> = {
  redisUrl: '--redis-url (or REDIS_URL)',
  registryKey: '--registry-key',
}

/**
 * The shared flags' values for {@link registryFields}: the flag, else the environment, else the default.
 *
 * @example
 * configSchema.safeParse({ ...registryValues(values, process.env), force: values.force })
 */
export function registryValues(
  values: { json: boolean; 'redis-url'?: string | undefined; 'registry-key': string },
  env: NodeJS.ProcessEnv,
) {
  return {
    json: values.json,
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || DEFAULT_REDIS_URL),
    registryKey: values['registry-key'],
  }
}

/**
 * Checks a command's flags against its schema, failing with CONFIG_INVALID that lists every problem under the
 * flag's name (`flagNames` adds the command's own flags to the shared ones), never its value.
 *
 * @example
 * return checkFlags('freshet views', z.object(registryFields), registryValues(values, env))
 */
export function checkFlags<S extends z.ZodType>(
  command: string,
  schema: S,
  input: unknown,
  flagNames: Record<string, string> = {},
): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const names = { ...REGISTRY_FLAG_NAMES, ...flagNames }
  const problems = parsed.error.issues.map(
    (i) => `${names[String(i.path[0])] ?? i.path.join('.')} ${i.message}`,
  )
  throw new FreshetError('CONFIG_INVALID', `${command}: ${problems.join('; ')}`)
}
