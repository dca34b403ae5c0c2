import { ReplyError } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createRedisConnection, describeRedisUrl, toStoreError } from './client.js'
import { TEST_REDIS_URL } from './testing/key-space.js'

describe('online store connection', () => {
  it('describes a url without its credentials', () => {
    expect(describeRedisUrl('redis://user:s3cret@10.0.0.5:6379/2?password=x')).toBe('redis://10.0.0.5:6379/2')
    expect(describeRedisUrl('redis://127.0.0.1:16379')).toBe('redis://127.0.0.1:16379')
  })

  it('maps a transient error reply to a retriable STORE_UNAVAILABLE and others to STORE_QUERY_FAILED', async () => {
    const redis = createRedisConnection({ url: TEST_REDIS_URL })
    try {
      const reply = (await redis.call('NO_SUCH_COMMAND').catch((err: unknown) => err)) as Error
      expect(reply).toBeInstanceOf(ReplyError)
      expect(toStoreError(reply, 'read', 'redis://x')).toMatchObject({
        code: 'STORE_QUERY_FAILED',
        retriable: false,
      })
      // A loading server cannot be provoked safely on the shared Redis; the reply class is the same.
      const loading = new ReplyError('LOADING Redis is loading the dataset in memory')
      expect(toStoreError(loading, 'read', 'redis://x')).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        retriable: true,
      })
    } finally {
      await redis.quit()
    }
  })
})
