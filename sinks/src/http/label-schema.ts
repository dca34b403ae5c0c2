import type { LabelRow, LabelSpine, LabelValue } from '@freshet/feature-store'
import { z } from 'zod'

const ISO_DATE_TIME = z.iso.datetime({ offset: true })

/** How the API words what a timestamp may be, in every error that concerns one. */
export const TIMESTAMP_EXPECTED =
  'an integer of epoch milliseconds or an ISO 8601 date-time with a zone (2025-11-20T08:15:00Z)'

/**
 * Epoch ms of a label time given as a safe integer or an ISO 8601 date-time with `Z` or an offset; undefined
 * for anything else. A zoneless date-time is refused: read in the server's zone it would silently shift every
 * label by hours, and with it which feature values count as known.
 *
 * @example
 * parseTimestamp('2025-11-20T08:15:00Z') // 1763626500000
 * parseTimestamp('2025-11-20 08:15:00')  // undefined
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined
  if (typeof value !== 'string' || !ISO_DATE_TIME.safeParse(value).success) return undefined
  const ms = Date.parse(value)
  return Number.isSafeInteger(ms) ? ms : undefined
}

const timestamp = z.unknown().transform((value, ctx) => {
  const ms = parseTimestamp(value)
  if (ms === undefined) {
    const got = value === undefined ? 'nothing' : JSON.stringify(value)
    ctx.addIssue({ code: 'custom', message: `expected ${TIMESTAMP_EXPECTED}, got ${got}` })
    return z.NEVER
  }
  return ms
})

const labelValue: z.ZodType<LabelValue> = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'label values must be strings, finite numbers, booleans or null',
})

/** One label row as JSON: `timestamp` plus entity keys and carried columns. */
export const labelRowSchema: z.ZodType<LabelRow> = z.object({ timestamp }).catchall(labelValue)

/** A time-range spine as JSON; `from` and `to` take the same forms as a label timestamp. */
export const labelSpineSchema: z.ZodType<LabelSpine> = z.strictObject({
  from: timestamp,
  to: timestamp,
  everyMs: z.int().positive({ error: 'everyMs must be a positive integer (milliseconds)' }),
  entities: z.array(z.string().min(1)).min(1).optional(),
})

/**
 * One line of zod issues for a problem `detail`: `labels[3].timestamp: expected …; features: …`.
 *
 * @example
 * formatIssues(result.error, 'labels') // 'labels[0].timestamp: expected an integer of epoch milliseconds …'
 */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  const shown = error.issues.slice(0, 5).map((issue) => {
    let path = prefix
    for (const key of issue.path) {
      path += typeof key === 'number' ? `[${key}]` : path === '' ? String(key) : `.${String(key)}`
    }
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return more > 0 ? `${shown.join('; ')} (and ${more} more)` : shown.join('; ')
}
