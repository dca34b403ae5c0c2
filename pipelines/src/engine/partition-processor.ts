import { type AnyFeatureView, FreshetError, isFreshetError } from '@freshet/feature-store'
import { AbsenceDetector } from '../cep/absence-detector.js'
import type { AnyAbsencePattern } from '../cep/absence-pattern.js'
import type { AlertRecord } from '../cep/alert-record.js'
import { decodeEvent } from '../events/codec.js'
import { type EventSchema, eventSchemas } from '../events/event-schema.js'
import type { ConsumedRecord } from '../kafka/kafka.js'
import { append } from './append.js'
import type { DeadLetter, LateEvent } from './dead-letter.js'
import type { FeatureRecord } from './feature-record.js'
import { ViewProcessor } from './view-processor.js'
import type { WindowPartial } from './window-partial.js'

/** Everything one step of processing wants published, in a deterministic order. */
export interface ProcessorOutput {
  features: FeatureRecord[]
  late: LateEvent[]
  deadLetters: DeadLetter[]
  /** Closed windows of repartitioned views, this partition's share, for the view's merge phase. */
  partials: WindowPartial[]
  /** Synthetic events of complex-event patterns (absence alerts). */
  alerts: AlertRecord[]
}

export function emptyOutput(): ProcessorOutput {
  return { features: [], late: [], deadLetters: [], partials: [], alerts: [] }
}

export interface PartitionProcessorOptions {
  /** Schemas messages may name; default every schema Freshet knows. */
  schemas?: ReadonlyMap<string, EventSchema>
  /** How far back open session windows may reach, for the replay horizon (ms). Default 6 h. */
  sessionHorizonMs?: number
  /** Complex-event patterns over the same source topic, run beside the views. */
  patterns?: readonly AnyAbsencePattern[]
}

/**
 * All feature views fed by one input partition: decode, dead-letter, route to each view, keep the partition's
 * event-time watermark (the highest event time seen), and close windows as it passes them. Pure and
 * deterministic: the same records in the same order give the same output, however they are batched.
 *
 * It also knows the replay horizon: the earliest offset whose events can still matter to an open window, which
 * is what the live runtime commits so that a restarted worker rebuilds its state by replaying from there.
 *
 * @example
 * const p = new PartitionProcessor([carMotion])
 * const out = p.process(records) // { features, late, deadLetters }
 * const flushed = p.advanceTo(Number.POSITIVE_INFINITY) // end of input: close everything
 */
export class PartitionProcessor {
  private readonly views: ViewProcessor<unknown>[]
  private readonly detectors: AbsenceDetector<unknown>[]
  /** The schema every message of the topic must carry. */
  private readonly expected: EventSchema | undefined
  private readonly schemas: ReadonlyMap<string, EventSchema>
  private readonly horizonMs: number
  private wm = Number.NEGATIVE_INFINITY
  private latestEventTime = Number.NEGATIVE_INFINITY
  /** (first offset, highest event time) of each processed batch, oldest first, pruned past the horizon. */
  private readonly batches: { firstOffset: bigint; maxTs: number }[] = []
  private next: bigint | undefined

  constructor(views: readonly AnyFeatureView[], options: PartitionProcessorOptions = {}) {
    const patterns = options.patterns ?? []
    const sources = [...views, ...patterns].map((s) => s.source)
    const topics = new Set(sources.map((s) => s.topic))
    if (topics.size > 1) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `one partition processor serves one source topic, got ${[...topics].join(', ')}`,
      )
    }
    this.views = views.map((v) => new ViewProcessor<unknown>(v))
    this.detectors = patterns.map((p) => new AbsenceDetector<unknown>(p))
    this.expected = sources[0]?.schema as EventSchema | undefined
    this.schemas = options.schemas ?? eventSchemas
    const sessionHorizon = options.sessionHorizonMs ?? 6 * 60 * 60_000
    this.horizonMs = Math.max(
      ...views.flatMap((v) =>
        v.windows.map((w) => v.graceMs + (w.kind === 'session' ? sessionHorizon : w.sizeMs)),
      ),
      ...this.detectors.map((d) => d.horizonMs),
    )
  }

  get watermark(): number {
    return this.wm
  }

  /** Next offset to read (one past the last processed record), if anything was processed. */
  get nextOffset(): string | undefined {
    return this.next?.toString()
  }

  /** Whether any view here is repartitioned (its merge phase needs this partition's watermark). */
  get feedsMergePhase(): boolean {
    return this.views.some((v) => v.view.repartition)
  }

  /** Keys with open windows, summed over views and windows. */
  get openKeys(): number {
    return this.views.reduce((n, v) => n + v.openKeys, 0) + this.detectors.reduce((n, d) => n + d.openKeys, 0)
  }

  process(records: readonly ConsumedRecord[]): ProcessorOutput {
    const out = emptyOutput()
    let batchMaxTs = Number.NEGATIVE_INFINITY
    for (const record of records) {
      const ts = this.processOne(record, out)
      if (ts !== undefined && ts > batchMaxTs) batchMaxTs = ts
    }
    const first = records[0]
    const last = records.at(-1)
    if (first && last) {
      this.batches.push({ firstOffset: BigInt(first.offset), maxTs: batchMaxTs })
      this.next = BigInt(last.offset) + 1n
    }
    for (const view of this.views) {
      if (view.view.emit === 'updating') append(out.features, view.partials(this.latestEventTime))
    }
    return out
  }

  /** Moves the watermark forward without events (idle partitions, end of input) and closes what it passes. */
  advanceTo(watermark: number): ProcessorOutput {
    const out = emptyOutput()
    if (watermark <= this.wm) return out
    this.wm = watermark
    this.closeWindows(watermark, out)
    return out
  }

  /**
   * The earliest offset a restarted worker must replay from to rebuild every open window exactly. Batches whose
   * events all lie before the horizon (watermark − grace − longest window) are no longer needed.
   */
  replayFrom(): string | undefined {
    const horizon = this.wm - this.horizonMs
    while (this.batches.length > 0 && (this.batches[0]?.maxTs ?? 0) < horizon) this.batches.shift()
    return (this.batches[0]?.firstOffset ?? this.next)?.toString()
  }

  /** Returns the event time of an accepted event, or undefined for a dead-lettered one. */
  private processOne(record: ConsumedRecord, out: ProcessorOutput): number | undefined {
    const decoded = decodeEvent(record, this.schemas)
    if (!decoded.ok) {
      out.deadLetters.push({ record, code: decoded.error.code, reason: decoded.reason })
      return undefined
    }
    const expected = this.expected
    if (expected && (decoded.schema.name !== expected.name || decoded.schema.version !== expected.version)) {
      out.deadLetters.push({
        record,
        code: 'EVENT_UNKNOWN_SCHEMA',
        reason: `topic carries ${expected.name}@${expected.version}, message is ${decoded.schema.name}@${decoded.schema.version}`,
      })
      return undefined
    }
    const ts = decoded.schema.eventTime(decoded.event)
    // Indexed loops over views: this runs per event, and array iterators are not always optimised away.
    for (let i = 0; i < this.views.length; i++) {
      const view = this.views[i]!
      try {
        const result = view.add(decoded.event)
        if (result.status === 'late') {
          out.late.push({ record, view: view.view.ref, windows: result.lateWindows, watermark: this.wm })
        }
      } catch (err) {
        // A definition that throws on one event must not stall the partition: the event goes to the DLQ.
        out.deadLetters.push({
          record,
          code: isFreshetError(err) ? err.code : 'INTERNAL',
          reason: `feature view ${view.view.ref} failed on this event: ${(err as Error).message}`,
        })
        return undefined
      }
    }
    for (const detector of this.detectors) {
      try {
        append(out.alerts, detector.add(decoded.event))
      } catch (err) {
        out.deadLetters.push({
          record,
          code: isFreshetError(err) ? err.code : 'INTERNAL',
          reason: `pattern ${detector.pattern.ref} failed on this event: ${(err as Error).message}`,
        })
      }
    }
    if (ts > this.latestEventTime) this.latestEventTime = ts
    if (ts > this.wm) {
      this.wm = ts
      this.closeWindows(ts, out)
    }
    return ts
  }

  private closeWindows(watermark: number, out: ProcessorOutput): void {
    for (let i = 0; i < this.views.length; i++) {
      const view = this.views[i]!
      if (view.view.repartition) view.advancePartials(watermark, out.partials)
      else view.advance(watermark, out.features)
    }
    for (const detector of this.detectors) append(out.alerts, detector.advance(watermark))
  }
}
