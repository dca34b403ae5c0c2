/**
 * Record-batch codecs that kafkajs lacks (it only ships gzip), written to match what the Java client produces.
 *
 * This file deliberately does not import kafkajs (so it tests on its own): codecs.ts registers these on kafkajs'
 * `CompressionCodecs`. Each library ships prebuilt napi-rs binaries through optionalDependencies, so
 * installing needs no compiler and no install script:
 * - snappy: `snappy` (Rust snap). Kafka's Java client wraps snappy blocks in xerial framing, done here.
 * - lz4: `lz4-napi` (Rust lz4_flex). Kafka (message format v2) uses the standard LZ4 *frame* format.
 * - zstd: `@mongodb-js/zstd` 1.x (Rust zstd over libzstd). Stay on 1.x: 2.x and later fetch their binary
 *   with prebuild-install at install time, which needs install scripts and GitHub.
 */

import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd'
import { compressFrame, decompressFrame } from 'lz4-napi'
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy'

/** The codec shape kafkajs calls: `compress` gets the encoded records, `decompress` a batch's records section. */
export interface BatchCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}

/** Record-batch compression, as named by the Java client's `compression.type`. */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

// xerial snappy-java stream: magic, version, min compatible version, then (int32 length, snappy block)*.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_BYTES = XERIAL_MAGIC.length + 8
const XERIAL_VERSION = 1
// snappy-java's default block size, which the Java producer uses.
const XERIAL_BLOCK_BYTES = 32 * 1024

/** Java's `compression.type=zstd` default level. */
const ZSTD_LEVEL = 3

/** Encodes `data` as a xerial-framed snappy stream, the way snappy-java's `SnappyOutputStream` does. */
export function xerialSnappyEncode(data: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES)
  XERIAL_MAGIC.copy(header, 0)
  header.writeInt32BE(XERIAL_VERSION, XERIAL_MAGIC.length)
  header.writeInt32BE(XERIAL_VERSION, XERIAL_MAGIC.length + 4)
  const parts: Buffer[] = [header]
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappyCompress(data.subarray(at, at + XERIAL_BLOCK_BYTES))
    const length = Buffer.alloc(4)
    length.writeInt32BE(block.length, 0)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}

/**
 * Decodes a xerial-framed snappy stream (concatenated streams included), or a bare snappy block as older
 * kafkajs-snappy producers wrote it: snappy-java reads both, so must we.
 */
export function xerialSnappyDecode(data: Buffer): Buffer {
  if (!startsWithMagic(data, 0)) return toBuffer(snappyUncompress(data, { asBuffer: true }))
  const parts: Buffer[] = []
  let at = 0
  while (at < data.length) {
    if (startsWithMagic(data, at)) {
      at += XERIAL_HEADER_BYTES
      continue
    }
    if (at + 4 > data.length) throw new Error(`xerial snappy: truncated block length at byte ${at}`)
    const length = data.readInt32BE(at)
    at += 4
    if (length < 0 || at + length > data.length) {
      throw new Error(`xerial snappy: block of ${length} bytes at byte ${at} overruns ${data.length} bytes`)
    }
    parts.push(toBuffer(snappyUncompress(data.subarray(at, at + length), { asBuffer: true })))
    at += length
  }
  return Buffer.concat(parts)
}

export const snappyCodec: BatchCodec = {
  compress: async ({ buffer }) => xerialSnappyEncode(buffer),
  decompress: async (buffer) => xerialSnappyDecode(buffer),
}

export const lz4Codec: BatchCodec = {
  // lz4_flex's frame defaults (independent blocks, no checksums) are what the Java reader accepts.
  compress: ({ buffer }) => compressFrame(buffer),
  decompress: (buffer) => decompressFrame(buffer),
}

export const zstdCodec: BatchCodec = {
  compress: ({ buffer }) => zstdCompress(buffer, ZSTD_LEVEL),
  decompress: (buffer) => zstdDecompress(buffer),
}

function startsWithMagic(data: Buffer, at: number): boolean {
  return (
    data.length >= at + XERIAL_HEADER_BYTES &&
    data.subarray(at, at + XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
  )
}

function toBuffer(out: string | Buffer): Buffer {
  return typeof out === 'string' ? Buffer.from(out) : out
}
