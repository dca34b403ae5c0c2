import type { TrainingSetFormat } from '@freshet/feature-store'
import type { OutputFormat } from './training-set-request.js'

/** How each output format is produced by the reader and labelled on the wire. */
export const OUTPUT_ENCODINGS: Record<
  OutputFormat,
  { reader: TrainingSetFormat; contentType: string; extension: string }
> = {
  parquet: { reader: 'Parquet', contentType: 'application/vnd.apache.parquet', extension: 'parquet' },
  csv: { reader: 'CSV', contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
  json: { reader: 'JSONEachRow', contentType: 'application/x-ndjson', extension: 'jsonl' },
}

/** How a streamed body ended: all bytes sent, the client went away, or the source failed part-way. */
export type StreamEnd = { outcome: 'complete'; bytes: number } | { outcome: 'cancelled'; bytes: number }
export type StreamFailure = { outcome: 'failed'; bytes: number; error: unknown }

/**
 * Starts a response body from an async byte source. The first chunk is awaited here, before any header is
 * sent: everything that can go wrong with a request (bad labels, unknown refs, the store down) goes wrong before
 * the reader produces a byte, so it can still be answered with a proper status and problem. A failure after
 * that errors the stream, which aborts the connection: the client sees a failed transfer, never a short file
 * that looks complete. A client that disconnects stops the source, which releases its ClickHouse resources.
 *
 * @example
 * const body = await startStream(reader.exportHistoricalFeatures(labels, refs, 'CSV'), (end) => log.info(end))
 * return new Response(body, { headers: { 'content-type': 'text/csv' } })
 */
export async function startStream(
  source: AsyncIterable<Uint8Array>,
  onEnd: (end: StreamEnd | StreamFailure) => void,
): Promise<ReadableStream<Uint8Array>> {
  const chunks = source[Symbol.asyncIterator]()
  const first = await chunks.next()
  let bytes = 0
  let ended = false
  const end = (result: StreamEnd | StreamFailure) => {
    if (ended) return
    ended = true
    onEnd(result)
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) {
        controller.close()
        end({ outcome: 'complete', bytes })
        return
      }
      bytes += first.value.byteLength
      controller.enqueue(first.value)
    },
    async pull(controller) {
      try {
        const next = await chunks.next()
        if (next.done) {
          controller.close()
          end({ outcome: 'complete', bytes })
          return
        }
        bytes += next.value.byteLength
        controller.enqueue(next.value)
      } catch (error) {
        end({ outcome: 'failed', bytes, error })
        controller.error(error)
      }
    },
    async cancel() {
      end({ outcome: 'cancelled', bytes })
      await chunks.return?.()
    },
  })
}
