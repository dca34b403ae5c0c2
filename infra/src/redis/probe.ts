import { Redis } from 'ioredis'

export interface RedisProbe {
  /** e.g. `7.0.15`. */
  version: string
  /** Whether the server runs with `appendonly yes`. */
  aof: boolean
}

/** PINGs Redis once, without ioredis's reconnect loop, and reads its version and AOF state. */
export async function probeRedis(host: string, port: number, timeoutMs: number): Promise<RedisProbe> {
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {}) // failures surface as rejections below; this silences the event
  try {
    await client.connect()
    await client.ping()
    const info = await client.info('persistence')
    const server = await client.info('server')
    return {
      version: /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown',
      aof: /aof_enabled:1/.test(info),
    }
  } finally {
    client.disconnect()
  }
}
