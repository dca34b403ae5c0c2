import {
  type FeatureRef,
  FreshetError,
  type OnlineFeatureReader,
  type OnlineFeatureValue,
} from '@freshet/feature-store'
import {
  closeRedisConnection,
  createRedisConnection,
  describeRedisUrl,
  type RedisConnectionOptions,
  toStoreError,
} from './client.js'
import { checkKeyPrefix, DEFAULT_KEY_PREFIX, decodeFeatureValue, featureField, featureKey } from './keys.js'

export interface RedisOnlineReaderOptions extends RedisConnectionOptions {
  /** Prefix of every key; the same as the writer's. Default `fs:`. */
  keyPrefix?: string
  /**
   * The online ttl of a view version (`car_motion:v1`). Reading a view without one rejects with
   * `CONFIG_INVALID` before anything is sent.
   */
  ttlMs(viewRef: string): number | undefined
}

/** One HMGET: the fields of one (entity, view version) hash, and where each answer goes in the result. */
interface Lookup {
  key: string
  fields: string[]
  slots: number[]
}

/**
 * Creates the Redis online store reader. It owns its connection (opened on the first read; `close()` ends it).
 *
 * `read(entities, refs, now)` sends one HMGET per (entity, view version) asked for, all in one pipeline, so a
 * call costs one network round trip however many entities and views it spans. Each feature field holds its own
 * event time (layout in keys.ts), so the status needs no second lookup:
 * - `missing`: no such hash or field (unknown entity, unknown feature, key already dropped by Redis);
 * - `expired`: `now - eventTime` exceeds the view's ttl (value null; event time and age still reported);
 * - `present`: otherwise. A stored null (e.g. stddev of no samples) is present with value null. Age can be
 *   negative when the event clock runs ahead of `now`: it is reported as is.
 *
 * Connection failures reject with a retriable `STORE_UNAVAILABLE`; error replies with `STORE_QUERY_FAILED`.
 *
 * @example
 * const reader = createRedisOnlineReader({ url: 'redis://127.0.0.1:16379', ttlMs: (ref) => registry.get(ref)?.ttlMs })
 * const [speed] = await reader.read(['car-0001'], [{ view: 'car_motion', version: 1, feature: 'speed_kmh_mean_5m' }])
 * // { entity: 'car-0001', status: 'present', value: 42.5, eventTime: 1764000900000, ageMs: 1234, ref }
 */
export function createRedisOnlineReader(options: RedisOnlineReaderOptions): OnlineFeatureReader {
  const prefix = checkKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX)
  const target = describeRedisUrl(options.url)
  const redis = createRedisConnection(options)
  let closed = false

  function ttlOf(ref: FeatureRef): number {
    const viewRef = `${ref.view}:v${ref.version}`
    const ttl = options.ttlMs(viewRef)
    if (ttl === undefined || !(ttl > 0)) {
      throw new FreshetError('CONFIG_INVALID', `redis reader: no online ttl for view ${viewRef}`)
    }
    return ttl
  }

  return {
    async read(entities, refs, now = Date.now()) {
      if (closed) throw new FreshetError('STORE_UNAVAILABLE', 'redis online reader is closed')
      const ttls = refs.map(ttlOf)
      const lookups = new Map<string, Lookup>()
      entities.forEach((entity, e) => {
        refs.forEach((ref, r) => {
          const key = featureKey(prefix, ref.view, ref.version, entity)
          let lookup = lookups.get(key)
          if (lookup === undefined) {
            lookup = { key, fields: [], slots: [] }
            lookups.set(key, lookup)
          }
          lookup.fields.push(featureField(ref.feature))
          lookup.slots.push(e * refs.length + r)
        })
      })
      if (lookups.size === 0) return []

      const pipeline = redis.pipeline()
      for (const { key, fields } of lookups.values()) pipeline.hmget(key, ...fields)
      const replies = await pipeline.exec().catch((err: unknown) => {
        throw toStoreError(err, 'read', target)
      })

      const stored: (string | null)[] = new Array(entities.length * refs.length).fill(null)
      let i = 0
      for (const { slots } of lookups.values()) {
        const [err, values] = replies?.[i++] ?? [new Error('no reply')]
        if (err) throw toStoreError(err, 'read', target)
        const answers = values as (string | null)[]
        slots.forEach((slot, j) => {
          stored[slot] = answers[j] ?? null
        })
      }

      return stored.map((raw, slot): OnlineFeatureValue => {
        const ref = refs[slot % refs.length]!
        const entity = entities[Math.floor(slot / refs.length)]!
        const decoded = decodeFeatureValue(raw)
        if (decoded === undefined) {
          return { ref, entity, status: 'missing', value: null, eventTime: null, ageMs: null }
        }
        const ageMs = now - decoded.eventTime
        const expired = ageMs > ttls[slot % refs.length]!
        return {
          ref,
          entity,
          status: expired ? 'expired' : 'present',
          value: expired ? null : decoded.value,
          eventTime: decoded.eventTime,
          ageMs,
        }
      })
    },
    async close() {
      if (closed) return
      closed = true
      await closeRedisConnection(redis)
    },
  }
}
