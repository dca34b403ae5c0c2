import type { InputWatermarks } from './merge-processor.js'

/**
 * What a restarted worker needs to continue exactly where the last committed transaction left off; it travels
 * as the metadata of the committed offset (the replay horizon), in the same transaction as the output.
 */
export interface Checkpoint {
  /** Next offset after the last record whose output was committed. */
  hi: string
  /** Watermark at that commit (it may have advanced through idleness, beyond any event time). */
  wm: number
  /** Merge tasks: each input partition's watermark (watermark messages before the horizon are not replayed). */
  marks?: InputWatermarks
  /** Merge tasks: how many input partitions there are, once known. */
  sources?: number | undefined
}

/** Offset metadata for a checkpoint (JSON has no −∞: a watermark before any event is written as null). */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify({ ...checkpoint, wm: Number.isFinite(checkpoint.wm) ? checkpoint.wm : null })
}

/** The checkpoint in offset metadata, or undefined for none or an unreadable one (then nothing is suppressed). */
export function parseCheckpoint(metadata: string | null | undefined): Checkpoint | undefined {
  if (!metadata) return undefined
  try {
    const parsed = JSON.parse(metadata) as Omit<Partial<Checkpoint>, 'wm'> & { wm?: number | null }
    if (typeof parsed.hi !== 'string' || (typeof parsed.wm !== 'number' && parsed.wm !== null))
      return undefined
    const checkpoint: Checkpoint = { hi: parsed.hi, wm: parsed.wm ?? Number.NEGATIVE_INFINITY }
    if (parsed.marks && typeof parsed.marks === 'object') checkpoint.marks = parsed.marks
    if (typeof parsed.sources === 'number') checkpoint.sources = parsed.sources
    return checkpoint
  } catch {
    return undefined
  }
}
