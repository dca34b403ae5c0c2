/**
 * MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes, bit-identical to `murmurhash.v3(value, seed)` from the
 * `murmurhash` package that HyperLogLog sketches were hashed with (checkpointed and repartitioned sketches must
 * keep merging). Why not call the package: it allocates a TextEncoder and a byte array per call, which made
 * distinct-count hashing the costliest part of the engine's per-event work. ASCII strings (ids, statuses) are
 * copied into a reused buffer; anything else is encoded exactly as the package does (lone surrogates → U+FFFD).
 *
 * @example
 * murmur3('car-0001', 0x9747b28c) === murmurhash.v3('car-0001', 0x9747b28c) // true
 */
export function murmur3(value: string, seed: number): number {
  const n = value.length
  if (n > scratch.length) scratch = new Uint8Array(2 * n)
  const bytes = scratch
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x7f) {
      const encoded = encoder.encode(value)
      return murmur3Bytes(encoded, encoded.length, seed)
    }
    bytes[i] = c
  }
  return murmur3Bytes(bytes, n, seed)
}

const encoder = new TextEncoder()
let scratch = new Uint8Array(256)

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

function murmur3Bytes(key: Uint8Array, length: number, seed: number): number {
  const tail = length & ~3
  let h = seed | 0
  for (let i = 0; i < tail; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let k = 0
  switch (length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the tail bytes fall through, as in the reference
    case 3:
      k ^= key[tail + 2]! << 16
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: as above
    case 2:
      k ^= key[tail + 1]! << 8
    case 1:
      k ^= key[tail]!
      k = Math.imul(k, C1)
      k = (k << 15) | (k >>> 17)
      k = Math.imul(k, C2)
      h ^= k
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
