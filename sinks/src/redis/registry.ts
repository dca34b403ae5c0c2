import { readFileSync } from 'node:fs'
import {
  compareRegisteredViews,
  FreshetError,
  parseRegisteredView,
  type RegisteredView,
  type RegistryStore,
} from '@freshet/feature-store'
import {
  closeRedisConnection,
  createRedisConnection,
  describeRedisUrl,
  type RedisConnectionOptions,
  toStoreError,
} from './client.js'

/** Where the registry lives unless told otherwise. */
export const DEFAULT_REGISTRY_KEY = 'freshet:registry'

export interface RedisRegistryStoreOptions extends RedisConnectionOptions {
  /** The registry's hash. Default `freshet:registry`. */
  key?: string
}

const REPLACE = 'freshetRegistryReplace'
let replaceLua: string | undefined

/**
 * The feature registry in Redis: one hash, field = view ref (`car_motion:v1`), value = the registered view as
 * JSON. It owns its connection (opened on the first call; `close()` ends it).
 *
 * - `putIfAbsent` is HSETNX then HGET in one MULTI: atomic, so of two processes registering one ref at once
 *   exactly one stores its entry and both get that entry back.
 * - `replaceIfSameHash` is `registry-replace.lua`, a compare-and-set on the entry's content hash.
 * - Entries read back are validated (`parseRegisteredView`); something else under a field fails with
 *   `STORE_QUERY_FAILED` naming the ref. Connection failures are retriable `STORE_UNAVAILABLE`.
 *
 * @example
 * const registry = new FeatureRegistry({ store: createRedisRegistryStore({ url: 'redis://127.0.0.1:16379' }) })
 * await registry.register(featureViews)
 * await registry.close()
 */
export function createRedisRegistryStore(options: RedisRegistryStoreOptions): RegistryStore {
  const key = options.key ?? DEFAULT_REGISTRY_KEY
  const target = describeRedisUrl(options.url)
  const redis = createRedisConnection(options)
  replaceLua ??= readFileSync(new URL('./registry-replace.lua', import.meta.url), 'utf8')
  redis.defineCommand(REPLACE, { numberOfKeys: 1, lua: replaceLua })
  let closed = false

  async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw new FreshetError('STORE_UNAVAILABLE', 'redis registry store is closed')
    try {
      return await run()
    } catch (err) {
      throw toStoreError(err, operation, target)
    }
  }

  return {
    async get(ref) {
      const json = await command('registry read', () => redis.hget(key, ref))
      return json === null ? undefined : parseRegisteredView(json, ref)
    },
    async list() {
      const all = await command('registry read', () => redis.hgetall(key))
      return Object.entries(all)
        .map(([ref, json]) => parseRegisteredView(json, ref))
        .sort(compareRegisteredViews)
    },
    async putIfAbsent(entry) {
      const replies = await command('registry write', () =>
        redis.multi().hsetnx(key, entry.ref, JSON.stringify(entry)).hget(key, entry.ref).exec(),
      )
      const [err, json] = replies?.[1] ?? [new Error('no reply to MULTI')]
      if (err) throw toStoreError(err, 'registry write', target)
      return parseRegisteredView(json as string, entry.ref)
    },
    async replaceIfSameHash(entry: RegisteredView) {
      const replace = (redis as unknown as Record<string, (...args: string[]) => Promise<string | null>>)[
        REPLACE
      ]!
      const json = await command('registry write', () =>
        replace.call(redis, key, entry.ref, entry.contentHash, JSON.stringify(entry)),
      )
      return json === null ? undefined : parseRegisteredView(json, entry.ref)
    },
    async close() {
      if (closed) return
      closed = true
      await closeRedisConnection(redis)
    },
  }
}
