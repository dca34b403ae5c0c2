import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'

/** The Redis the adapter tests use: `REDIS_URL`, else the local service's default port. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'

/**
 * A fresh key prefix on the test Redis with an admin connection to inspect it, so parallel suites never share
 * keys. `cleanup()` deletes every key under the prefix and closes the connection.
 *
 * @example
 * const space = await testKeySpace()
 * afterAll(() => space.cleanup())
 */
export async function testKeySpace(): Promise<{
  prefix: string
  admin: Redis
  keys(): Promise<string[]>
  dump(key: string): Promise<Record<string, string>>
  cleanup(): Promise<void>
}> {
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  await admin.connect()
  const keys = async () => {
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      found.push(...batch)
      cursor = next
    } while (cursor !== '0')
    return found.sort()
  }
  return {
    prefix,
    admin,
    keys,
    dump: (key) => admin.hgetall(key),
    async cleanup() {
      const all = await keys()
      for (let i = 0; i < all.length; i += 1000) await admin.unlink(...all.slice(i, i + 1000))
      await admin.quit()
    },
  }
}
