import { type AnyFeatureView, FreshetError } from '@freshet/feature-store'
import type { ConsumedRecord } from '../kafka/kafka.js'
import { append } from './append.js'
import { emptyOutput, type ProcessorOutput } from './partition-processor.js'
import { decodeRepartitionMessage, type InputWatermark } from './repartition.js'
import { ViewMerger } from './view-merger.js'
import type { WindowPartial } from './window-partial.js'

/** Watermark per input partition, as checkpointed: `{ "0": 1764000000000, … }`. */
export type InputWatermarks = Record<string, number>

/**
 * The merge phase of one repartitioned view, for one partition of its repartition topic: merges partial windows
 * by key and closes a window when every input partition's watermark has passed its end + grace. Its watermark
 * is the minimum over the input partitions, so a slow partition holds windows open instead of losing its events
 * (Flink and Kafka Streams behave the same). Pure and deterministic like `PartitionProcessor`, with the same
 * surface, so the runtime drives both alike.
 *
 * Input partitions that never reported (an empty partition) would hold the watermark back forever; after the
 * runtime's idle timeout it calls `releaseMissingInputs()` and the minimum is taken over the inputs seen so far.
 * A partial that then arrives for an already-closed window is counted in `latePartials`: with every input
 * partition live this never happens.
 *
 * @example
 * const merge = new MergeProcessor(zoneTraffic)
 * const { features } = merge.process(recordsOfRepartitionPartition)
 */
export class MergeProcessor {
  private readonly merger: ViewMerger
  private readonly marks = new Map<number, number>()
  private sources: number | undefined
  private released = false
  private wm = Number.NEGATIVE_INFINITY
  /** (first offset, latest close time of the partials in it) per batch still holding open windows. */
  private readonly batches: { firstOffset: bigint; closesAt: number }[] = []
  private next: bigint | undefined
  private late = 0

  constructor(readonly view: AnyFeatureView) {
    this.merger = new ViewMerger(view)
  }

  get watermark(): number {
    return this.wm
  }

  get nextOffset(): string | undefined {
    return this.next?.toString()
  }

  get openKeys(): number {
    return this.merger.openKeys
  }

  /** Partials that arrived after their window had closed here (only after `releaseMissingInputs`). */
  get latePartials(): number {
    return this.late
  }

  /** Whether the watermark waits for input partitions that have not reported yet. */
  get waitingForInputs(): boolean {
    return !this.released && (this.sources === undefined || this.marks.size < this.sources)
  }

  /** Input watermarks for the checkpoint. */
  inputWatermarks(): InputWatermarks {
    return Object.fromEntries([...this.marks].map(([source, wm]) => [String(source), wm]))
  }

  process(records: readonly ConsumedRecord[]): ProcessorOutput {
    const out = emptyOutput()
    let closesAt = Number.NEGATIVE_INFINITY
    for (const record of records) {
      const message = decodeRepartitionMessage(record)
      if (!message.ok) {
        out.deadLetters.push({ record, code: 'EVENT_SCHEMA_INVALID', reason: message.reason })
      } else if (message.kind === 'partial') {
        const close = this.addPartial(message.partial, record, out)
        if (close > closesAt) closesAt = close
      } else {
        this.mark(message.mark)
      }
    }
    const first = records[0]
    const last = records.at(-1)
    if (first && last) {
      this.batches.push({ firstOffset: BigInt(first.offset), closesAt })
      this.next = BigInt(last.offset) + 1n
    }
    this.close(out)
    return out
  }

  /** Restores input watermarks from a checkpoint (they are not replayed) and closes what they pass. */
  restore(marks: InputWatermarks, sources: number | undefined): ProcessorOutput {
    if (sources !== undefined) this.sources = sources
    for (const [source, wm] of Object.entries(marks))
      this.mark({ source: Number(source), sources: 0, watermark: wm })
    const out = emptyOutput()
    this.close(out)
    return out
  }

  /** Stops waiting for input partitions that never reported; the watermark becomes the minimum of the rest. */
  releaseMissingInputs(): ProcessorOutput {
    this.released = true
    const out = emptyOutput()
    this.close(out)
    return out
  }

  /** Forces the watermark forward (a checkpointed watermark after replay, or +∞ at the end of input). */
  advanceTo(watermark: number): ProcessorOutput {
    const out = emptyOutput()
    if (watermark > this.wm) {
      this.wm = watermark
      append(out.features, this.merger.advance(watermark))
    }
    return out
  }

  /** The earliest offset holding a partial of a still-open window (what a restarted task replays from). */
  replayFrom(): string | undefined {
    while (this.batches.length > 0 && (this.batches[0]?.closesAt ?? 0) <= this.wm) this.batches.shift()
    return (this.batches[0]?.firstOffset ?? this.next)?.toString()
  }

  /** Input partitions of the merged view's source topic, once a watermark message said. */
  get inputPartitions(): number | undefined {
    return this.sources
  }

  private addPartial(partial: WindowPartial, record: ConsumedRecord, out: ProcessorOutput): number {
    try {
      if (this.merger.add(partial) === 'late') this.late++
      return partial.end + this.view.graceMs
    } catch (err) {
      out.deadLetters.push({
        record,
        code: 'EVENT_SCHEMA_INVALID',
        reason: `partial not mergeable into ${this.view.ref}: ${(err as Error).message}`,
      })
      return Number.NEGATIVE_INFINITY
    }
  }

  private mark({ source, sources, watermark }: InputWatermark): void {
    if (sources > 0) {
      if (this.sources !== undefined && this.sources !== sources) {
        // The source topic gained partitions: its keys now hash elsewhere, so old and new partials can't pair up.
        throw new FreshetError(
          'CONFIG_INVALID',
          `${this.view.source.topic} changed from ${this.sources} to ${sources} partitions; reset ${this.view.ref}'s merge phase`,
        )
      }
      this.sources = sources
    }
    if (watermark > (this.marks.get(source) ?? Number.NEGATIVE_INFINITY)) this.marks.set(source, watermark)
  }

  private close(out: ProcessorOutput): void {
    if (this.marks.size === 0 || this.waitingForInputs) return
    const wm = Math.min(...this.marks.values())
    if (wm > this.wm) {
      this.wm = wm
      append(out.features, this.merger.advance(wm))
    }
  }
}
