import { readFileSync } from 'node:fs'
import {
  compareRegisteredViews,
  FreshetError,
  type PromotionWrite,
  parseRegisteredView,
  parseViewRef,
  promotedVersions,
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
  /** The hash of promoted versions (field = view name, value = version). Default `<key>:promoted`. */
  promotedKey?: string
}

const REPLACE = 'freshetRegistryReplace'
const PROMOTE = 'freshetRegistryPromote'
let replaceLua: string | undefined
let promoteLua: string | undefined

type Script = (...args: string[]) => Promise<unknown>

/**
 * The feature registry in Redis: one hash, field = view ref (`car_motion:v1`), value = the registered view as
 * JSON. It owns its connection (opened on the first call; `close()` ends it).
 *
 * - `putIfAbsent` is HSETNX then HGET in one MULTI: atomic, so of two processes registering one ref at once
 *   exactly one stores its entry and both get that entry back.
 * - `replaceIfSameHash` is `registry-replace.lua`, a compare-and-set on the entry's content hash.
 * - Promoted versions live in a second hash (`<key>:promoted`, field = view name, value = version);
 *   `setPromoted` is `registry-promote.lua`, a compare-and-set on the version in service that also checks the
 *   version is registered. Reads combine both hashes with `promotedVersions` (a name never promoted serves its
 *   lowest registered version). Both keys are touched by one script: on Redis Cluster give them a common hash
 *   tag (`{freshet}:registry`, `{freshet}:registry:promoted`).
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
  const promotedKey = options.promotedKey ?? `${key}:promoted`
  const target = describeRedisUrl(options.url)
  const redis = createRedisConnection(options)
  replaceLua ??= readFileSync(new URL('./registry-replace.lua', import.meta.url), 'utf8')
  promoteLua ??= readFileSync(new URL('./registry-promote.lua', import.meta.url), 'utf8')
  redis.defineCommand(REPLACE, { numberOfKeys: 1, lua: replaceLua })
  redis.defineCommand(PROMOTE, { numberOfKeys: 2, lua: promoteLua })
  // defineCommand adds the methods at runtime; ioredis only types them through a global module augmentation.
  const script = (name: string) => (redis as unknown as Record<string, Script>)[name]!.bind(redis)
  const [replace, promote] = [script(REPLACE), script(PROMOTE)]
  let closed = false

  async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw new FreshetError('STORE_UNAVAILABLE', 'redis registry store is closed')
    try {
      return await run()
    } catch (err) {
      throw toStoreError(err, operation, target)
    }
  }

  /** Both hashes in one MULTI (a consistent snapshot), combined as the promote script does. */
  async function inService(): Promise<Record<string, number>> {
    const replies = await command('registry read', () => redis.multi().hkeys(key).hgetall(promotedKey).exec())
    const [[keysErr, refs], [promotedErr, promoted]] = (replies ?? [
      [new Error('no reply to MULTI')],
      [],
    ]) as [[Error | null, string[]], [Error | null, Record<string, string>]]
    const err = keysErr ?? promotedErr
    if (err) throw toStoreError(err, 'registry read', target)
    const versions = refs.flatMap((ref) => parseViewRef(ref) ?? [])
    const promotions: Record<string, number> = {}
    for (const [name, version] of Object.entries(promoted)) {
      // Something else under a field is not a promotion: that name serves its lowest version.
      if (/^[1-9][0-9]*$/.test(version)) promotions[name] = Number(version)
    }
    return promotedVersions(versions, promotions)
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
      const json = (await command('registry write', () =>
        replace(key, entry.ref, entry.contentHash, JSON.stringify(entry)),
      )) as string | null
      return json === null ? undefined : parseRegisteredView(json, entry.ref)
    },
    async promoted(name) {
      return (await inService())[name]
    },
    listPromoted: inService,
    async setPromoted(name, version, expectedCurrent): Promise<PromotionWrite> {
      if (parseViewRef(`${name}:v${version}`) === undefined) {
        throw new FreshetError('CONFIG_INVALID', `'${name}:v${version}' is not a view version`)
      }
      const reply = await command('registry promote', () =>
        promote(
          key,
          promotedKey,
          name,
          String(version),
          expectedCurrent === undefined ? '' : String(expectedCurrent),
        ),
      )
      const [outcome, current] = reply as [PromotionWrite['outcome'], string]
      return { outcome, current: current === '' ? undefined : Number(current) }
    },
    async close() {
      if (closed) return
      closed = true
      await closeRedisConnection(redis)
    },
  }
}
