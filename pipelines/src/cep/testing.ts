import type { EventSource } from '@freshet/feature-store'
import { z } from 'zod'
import { defineAbsencePattern } from './absence-pattern.js'

/** The smallest event an absence pattern needs, for the detector's tests: key, time, condition, a serial. */
export interface Ping {
  k: string
  ts: number
  /** Satisfies the pattern's `while` (a car on a trip). */
  on: boolean
  /** Unique per event, copied into the alert context so tests see which event an alert describes. */
  n: number
}

const pingSource: EventSource<Ping> = {
  topic: 'test.pings.v1',
  schema: {
    name: 'ping',
    version: 1,
    schema: z.strictObject({ k: z.string(), ts: z.number(), on: z.boolean(), n: z.number() }),
  },
}

/**
 * A pattern over {@link Ping}s with the given timeout and resolve window (ms).
 *
 * @example
 * const detector = new AbsenceDetector(pingPattern(30_000, 600_000))
 */
export function pingPattern(timeoutMs: number, resolveWithinMs: number) {
  return defineAbsencePattern<Ping>({
    name: 'ping_gap',
    version: 2,
    entity: 'pinger',
    description: 'No ping for a while from a pinger that said it was on',
    owner: 'test',
    source: pingSource,
    key: (e) => e.k,
    eventTime: (e) => e.ts,
    while: (e) => e.on,
    timeout: timeoutMs,
    resolveWithin: resolveWithinMs,
    context: (e) => ({ n: e.n, on: e.on }),
  })
}
