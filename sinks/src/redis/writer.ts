import { type FeatureRecord, FreshetError, type OnlineFeatureWriter } from '@freshet/feature-store'
import {
  closeRedisConnection,
  createRedisConnection,
  describeRedisUrl,
  type RedisConnectionOptions,
  toStoreError,
} from './client.js'
import {
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  encodeFeatureValue,
  encodeWindowState,
  featureField,
  featureKey,
  windowField,
} from './keys.js'
import { defineScripts, queueSetIfNewer, SET_IF_NEWER_RESULT } from './scripts.js'

export interface RedisOnlineWriterOptions extends RedisConnectionOptions {
  /** Prefix of every key. Default `fs:`. Must not contain `{` or `}` (the entity is the hash tag). */
  keyPrefix?: string
  /**
   * The online ttl of a view version (`car_motion:v1`), usually `registry.get(ref)?.ttlMs`. A record of a view
   * without one fails the whole batch with `CONFIG_INVALID` before anything is written.
   */
  ttlMs(viewRef: string): number | undefined
  /** Clock for the stored write time. Default `Date.now`. */
  now?: () => number
  /** Records per pipeline. Default 1000. */
  chunkSize?: number
  /** Called after each `write` with what happened to its records, e.g. to count them in metrics. */
  onWrite?: (summary: OnlineWriteSummary) => void
}

/** What one `write` call did. */
export interface OnlineWriteSummary {
  records: number
  /** Stored as the window's new latest value. */
  stored: number
  /** Not newer than the stored record of its window (replays, out-of-order delivery, superseded in the batch). */
  notNewer: number
  /** Already older than the view's ttl by the Redis server's clock, so not stored. */
  expired: number
}

interface Candidate {
  record: FeatureRecord
  key: string
  expireAt: number
}

/**
 * Creates the Redis online store writer. It owns its connection (opened on the first write; `close()` ends it).
 *
 * Each record goes through `set-if-newer.lua`, a compare-and-set on the record's window within the entity's
 * hash (layout in keys.ts): a record is stored only if (windowEnd, eventTime, final) is greater than the stored
 * one, so replays and out-of-order delivery never regress a value and writing a stream twice, or shuffled,
 * leaves the same hashes. Before sending, a batch keeps only the newest record per (key, window) (same order,
 * so the result is the same as sending them all); the rest go out as one pipeline of EVALSHA calls per
 * `chunkSize` records. A failed batch can simply be written again.
 *
 * The key expires the view's ttl after the newest event time it holds (PEXPIREAT, only ever moved later), by
 * the Redis server's clock; reads enforce the ttl themselves, this only frees the memory of entities that
 * went quiet. Records already past their ttl are not stored.
 *
 * Connection failures reject with a retriable `STORE_UNAVAILABLE`; error replies with `STORE_QUERY_FAILED`.
 *
 * @example
 * const writer = createRedisOnlineWriter({
 *   url: 'redis://127.0.0.1:16379',
 *   ttlMs: (ref) => registry.get(ref)?.ttlMs,
 * })
 * await writer.write(records)
 * await writer.close()
 */
export function createRedisOnlineWriter(options: RedisOnlineWriterOptions): OnlineFeatureWriter {
  const prefix = checkKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX)
  const chunkSize = options.chunkSize ?? 1000
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `redis writer chunkSize must be a positive integer, got ${chunkSize}`,
    )
  }
  const now = options.now ?? Date.now
  const target = describeRedisUrl(options.url)
  const redis = createRedisConnection(options)
  defineScripts(redis)
  let closed = false

  /** Resolves ttls and keys, and keeps the newest record per (key, window), in first-seen order. */
  function prepare(records: readonly FeatureRecord[]): Candidate[] {
    const ttls = new Map<string, number>()
    const newest = new Map<string, Candidate>()
    for (const record of records) {
      const viewRef = `${record.view}:v${record.version}`
      let ttl = ttls.get(viewRef)
      if (ttl === undefined) {
        ttl = options.ttlMs(viewRef)
        if (ttl === undefined || !(ttl > 0)) {
          throw new FreshetError('CONFIG_INVALID', `redis writer: no online ttl for view ${viewRef}`)
        }
        ttls.set(viewRef, ttl)
      }
      if (record.entity === '') {
        // `{}` is no hash tag: the entity's views would scatter over cluster slots.
        throw new FreshetError('EVENT_SCHEMA_INVALID', `feature record ${record.id} has an empty entity`)
      }
      const key = featureKey(prefix, record.view, record.version, record.entity)
      const slot = `${key}\u0000${record.window}`
      const held = newest.get(slot)
      if (held === undefined || isNewer(record, held.record)) {
        newest.set(slot, { record, key, expireAt: record.eventTime + ttl })
      }
    }
    return [...newest.values()]
  }

  async function send(chunk: readonly Candidate[], writtenAt: number, summary: OnlineWriteSummary) {
    const pipeline = redis.pipeline()
    for (const { record, key, expireAt } of chunk) {
      const args = [
        windowField(record.window),
        encodeWindowState(record, writtenAt),
        String(record.windowEnd),
        String(record.eventTime),
        record.final ? '1' : '0',
        String(expireAt),
      ]
      for (const [name, value] of Object.entries(record.features)) {
        args.push(featureField(name), encodeFeatureValue(record.eventTime, value))
      }
      queueSetIfNewer(pipeline, key, args)
    }
    const replies = await pipeline.exec().catch((err: unknown) => {
      throw toStoreError(err, 'write', target)
    })
    for (const [err, reply] of replies ?? []) {
      if (err) throw toStoreError(err, 'write', target)
      if (reply === SET_IF_NEWER_RESULT.stored) summary.stored++
      else if (reply === SET_IF_NEWER_RESULT.expired) summary.expired++
      else summary.notNewer++
    }
  }

  return {
    async write(records) {
      if (closed) throw new FreshetError('STORE_UNAVAILABLE', 'redis online writer is closed')
      const candidates = prepare(records)
      const summary: OnlineWriteSummary = {
        records: records.length,
        stored: 0,
        notNewer: records.length - candidates.length,
        expired: 0,
      }
      const writtenAt = now()
      // Chunks go one after another: a bounded pipeline keeps client and server buffers small, and a
      // connection carries them in order anyway.
      for (let i = 0; i < candidates.length; i += chunkSize) {
        await send(candidates.slice(i, i + chunkSize), writtenAt, summary)
      }
      options.onWrite?.(summary)
    },
    async close() {
      if (closed) return
      closed = true
      await closeRedisConnection(redis)
    },
  }
}

/**
 * The order the Lua CAS applies: greater (windowEnd, eventTime, final) wins, a tie keeps the first.
 *
 * @example
 * isNewer({ windowEnd: 2, eventTime: 2, final: true }, { windowEnd: 2, eventTime: 2, final: false }) // true
 */
export function isNewer(
  a: Pick<FeatureRecord, 'windowEnd' | 'eventTime' | 'final'>,
  b: Pick<FeatureRecord, 'windowEnd' | 'eventTime' | 'final'>,
): boolean {
  if (a.windowEnd !== b.windowEnd) return a.windowEnd > b.windowEnd
  if (a.eventTime !== b.eventTime) return a.eventTime > b.eventTime
  return a.final && !b.final
}
