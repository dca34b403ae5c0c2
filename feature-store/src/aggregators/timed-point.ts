import { z } from 'zod'

/** A value with its event time; what first/last/delta/rate keep. */
export interface TimedPoint {
  ts: number
  v: number
}

export const TimedPointSchema = z.object({ ts: z.number(), v: z.number() })

/**
 * Total order on points: by event time, then by value. The value tie-break is what makes first/last
 * (and so delta/rate) independent of arrival order when two events share a timestamp.
 */
export function precedes(a: TimedPoint, b: TimedPoint): boolean {
  return precedesAt(a.ts, a.v, b.ts, b.v)
}

/** `precedes` on unpacked points, for states that keep their points as plain numbers. */
export function precedesAt(aTs: number, aV: number, bTs: number, bV: number): boolean {
  return aTs < bTs || (aTs === bTs && aV < bV)
}

/** A fresh copy of an optional point (states own their points; nothing handed out may alias them). */
export function copy(point: TimedPoint | null): TimedPoint | null {
  return point === null ? null : { ts: point.ts, v: point.v }
}

/** The earlier of two optional points (a fresh copy, so merged states never alias their inputs). */
export function earliest(a: TimedPoint | null, b: TimedPoint | null): TimedPoint | null {
  const winner = a === null ? b : b === null || !precedes(b, a) ? a : b
  return winner === null ? null : { ts: winner.ts, v: winner.v }
}

/** The later of two optional points (a fresh copy). */
export function latest(a: TimedPoint | null, b: TimedPoint | null): TimedPoint | null {
  const winner = a === null ? b : b === null || !precedes(a, b) ? a : b
  return winner === null ? null : { ts: winner.ts, v: winner.v }
}
