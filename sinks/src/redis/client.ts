import { FreshetError } from '@freshet/feature-store'
import { Redis } from 'ioredis'

/** Connection options shared by the online writer and reader. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`. Never logged or put in error messages (it may hold a password). */
  url: string
  /** Give up connecting after this long. Default 5000. */
  connectTimeoutMs?: number
  /** Fail a command that has no reply after this long. Default 5000. */
  commandTimeoutMs?: number
}

/**
 * The one place that builds the online store's ioredis connection. It connects lazily (on the first command),
 * keeps ioredis's reconnect loop for later outages, but fails a command after one reconnection attempt instead
 * of queueing it for a long time: the sink and serving own the retry policy, and they need the error.
 */
export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 1,
  })
  // Failures reach callers as rejected commands; without a listener ioredis prints every reconnect error.
  redis.on('error', () => {})
  return redis
}

/**
 * Where a URL points, safe for messages: host, port and db, never userinfo or query.
 *
 * @example
 * describeRedisUrl('redis://:secret@10.0.0.5:6379/2') // 'redis://10.0.0.5:6379/2'
 */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
  } catch {
    return 'redis (unparsable url)'
  }
}

// Server replies that mean "not now" rather than "never": loading a dataset, a busy script, failover, memory.
const RETRIABLE_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|OOM)\b/

/**
 * Maps an ioredis failure to a FreshetError: server error replies are `STORE_QUERY_FAILED` (retriable only for
 * transient states such as LOADING), everything else (refused, reset, timed out, closed) is a retriable
 * `STORE_UNAVAILABLE`.
 *
 * @example
 * await pipeline.exec().catch((err) => { throw toStoreError(err, 'write', target) })
 */
export function toStoreError(err: unknown, operation: string, target: string): FreshetError {
  if (err instanceof FreshetError) return err
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof Error && err.name === 'ReplyError') {
    const retriable = RETRIABLE_REPLY.test(message)
    return new FreshetError(
      retriable ? 'STORE_UNAVAILABLE' : 'STORE_QUERY_FAILED',
      `online store ${operation} failed at ${target}: ${message}`,
      { retriable, cause: err },
    )
  }
  return new FreshetError(
    'STORE_UNAVAILABLE',
    `online store ${operation}: ${target} unavailable: ${message}`,
    {
      retriable: true,
      cause: err,
    },
  )
}

/** Closes a connection that may never have connected (a lazy client must not connect just to say QUIT). */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect())
  } else {
    redis.disconnect()
  }
}
