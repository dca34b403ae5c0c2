import { Partitioners } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey, toPositive } from './murmur2.js'

describe('murmur2', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2: the Java client's own golden values.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j to Java Utils.murmur2 = %i', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected)
  })

  it('hashes the empty key like the Java client', () => {
    expect(murmur2(new Uint8Array(0))).toBe(275646681)
  })

  it('clears only the sign bit, as Utils.toPositive does', () => {
    expect(toPositive(-1)).toBe(0x7fffffff)
    expect(toPositive(-2147483648)).toBe(0)
    expect(toPositive(42)).toBe(42)
  })

  it('places keys on the partitions the live producer (kafkajs DefaultPartitioner) picks', () => {
    const keys = [
      ...Array.from({ length: 300 }, (_, i) => `car-${String(i + 1).padStart(4, '0')}`),
      'ride-0001',
      'zürich',
      '🚗',
      '',
    ]
    for (const partitions of [1, 3, 6, 7]) {
      const partitioner = Partitioners.DefaultPartitioner()
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        offlineReplicas: [],
        partitionErrorCode: 0,
      }))
      for (const key of keys) {
        const live = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } })
        expect(partitionForKey(key, partitions), `${key} over ${partitions}`).toBe(live)
      }
    }
  })
})
