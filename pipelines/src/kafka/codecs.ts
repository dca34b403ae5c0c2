/** The kafkajs side of record-batch compression: codec names to kafkajs types, and codec registration. */

import { type Compression, lz4Codec, snappyCodec, zstdCodec } from './compression.js'
import { CompressionCodecs, CompressionTypes } from './kafkajs-interop.js'

export const COMPRESSION_TYPES: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

let codecsRegistered = false

/**
 * Teaches kafkajs the codecs Java producers use (it decodes only gzip natively). The registry is process-wide,
 * so this runs once, on the first `createKafka`.
 */
export function registerCodecs(): void {
  if (codecsRegistered) return
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec
  codecsRegistered = true
}
