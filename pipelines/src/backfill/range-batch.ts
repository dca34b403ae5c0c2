import type { ProcessorOutput } from '../engine/partition-processor.js'
import type { ConsumedRecord } from '../kafka/kafka.js'

/**
 * Index of the first record at or past `offset` (records are in offset order). The common case, a batch wholly
 * before it, costs one comparison rather than one per record.
 */
export function splitAt(records: readonly ConsumedRecord[], offset: bigint): number {
  const last = records.at(-1)
  if (last === undefined || BigInt(last.offset) < offset) return records.length
  let lo = 0
  let hi = records.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (BigInt(records[mid]!.offset) < offset) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Runs one fetched batch of a replayed range through its processor: the records before the range's planned
 * `end`, and those past it only while the watermark has not reached `closeAt` yet (event times that disagree with
 * record timestamps); normally the record at `end − 1` closes the range. Returns the output and what it consumed.
 *
 * @example
 * const { out, consumed } = processThroughEnd(processor, records, BigInt(range.end), task.closeAt)
 */
export function processThroughEnd(
  processor: { process(records: readonly ConsumedRecord[]): ProcessorOutput; readonly watermark: number },
  records: readonly ConsumedRecord[],
  end: bigint,
  closeAt: number,
): { out: ProcessorOutput; consumed: readonly ConsumedRecord[] } {
  const cut = splitAt(records, end)
  const head = cut === records.length ? records : records.slice(0, cut)
  const out = processor.process(head)
  if (cut === records.length || processor.watermark >= closeAt) return { out, consumed: head }
  const more = processor.process(records.slice(cut))
  for (const key of ['features', 'late', 'deadLetters', 'partials', 'alerts'] as const) {
    const target = out[key] as unknown[]
    for (const item of more[key]) target.push(item)
  }
  return { out, consumed: records }
}
