/**
 * Kafka's default key partitioner, reimplemented without the client so offline tools place records exactly
 * where the live producer does (kafkajs `Partitioners.DefaultPartitioner`, the Java client's
 * `BuiltInPartitioner.partitionForKey`): `toPositive(murmur2(utf8(key))) % partitions`.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/**
 * 32-bit murmur2 as Kafka's `Utils.murmur2`, returned as a signed int like Java's. `Math.imul` and the
 * `| 0` / `>>>` pairs reproduce Java's wrapping int arithmetic and unsigned shifts exactly.
 *
 * @example
 * murmur2(Buffer.from('21')) // -973932308 (Kafka's UtilsTest vector)
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const whole = length - (length % 4)
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const rest = length % 4
  if (rest === 3) h ^= data[whole + 2]! << 16
  if (rest >= 2) h ^= data[whole + 1]! << 8
  if (rest >= 1) h = Math.imul(h ^ data[whole]!, M)
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/**
 * Kafka's `Utils.toPositive`: clears the sign bit. Not `Math.abs`, which differs for negatives and
 * overflows for the smallest int.
 *
 * @example
 * toPositive(-1) // 2147483647
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}

/**
 * The partition the live producer picks for a keyed record.
 *
 * @example
 * partitionForKey('car-0001', 6) // the partition car-0001's telemetry lives in
 */
export function partitionForKey(key: string | Uint8Array, partitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  return toPositive(murmur2(bytes)) % partitions
}
