import { z } from 'zod'
import { FreshetError } from '../errors.js'
import type { FieldValues, FieldVector } from './aggregation-plan.js'
import type { AddOutcome, WindowResult } from './window-result.js'

/**
 * What each window kind implements; `WindowedAggregation` owns the watermark and the output order.
 * Results come back unsorted.
 */
export interface WindowEngine {
  add(key: string, ts: number, values: FieldValues | FieldVector, watermark: number): AddOutcome
  /**
   * Final results of windows that close as the watermark moves from `previous` to `watermark`; with `withState`,
   * each also carries its aggregator states (only aligned windows support it).
   */
  close(previous: number, watermark: number, withState?: boolean): WindowResult[]
  /** Partial results of still-open windows touched by `add` since the last call. */
  drainTouched(watermark: number): WindowResult[]
  /** Keys holding open state (for metrics and tests). */
  readonly keyCount: number
  toJSON(): unknown
}

/** Validates a checkpointed engine payload, failing with the window kind in the message. */
export function parseEngineState<T>(kind: string, schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    throw new FreshetError('INTERNAL', `checkpointed ${kind} window state is malformed`, {
      cause: parsed.error,
    })
  }
  return parsed.data
}

/** `[number, row]` pairs as checkpointed. */
export const TimedRowsJson = z.array(z.tuple([z.number().int(), z.unknown()]))
