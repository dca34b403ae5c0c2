import { type AnyFeatureView, FreshetError, parseDuration } from '@freshet/feature-store'
import { z } from 'zod'

/** Which stores a backfill writes: the offline store (history, training sets), the online store, or both. */
export const BACKFILL_TARGETS = ['offline', 'online', 'both'] as const
export type BackfillTarget = (typeof BACKFILL_TARGETS)[number]

/** A view version (`car_motion:v2`), or `all` views of the deployment. */
const VIEW_REF = /^(?:all|[a-z][a-z0-9_]*:v[1-9][0-9]*)$/

/**
 * A backfill as submitted: which view versions, which window ends `[from, to)` (epoch ms), which stores.
 * See range-math.ts for exactly which windows a range covers.
 */
export const backfillRequestSchema = z
  .strictObject({
    views: z
      .array(z.string().regex(VIEW_REF, "must be a view version like 'car_motion:v2' or 'all'"))
      .min(1, 'name at least one view')
      .max(100),
    from: z.number().int().nonnegative(),
    to: z.number().int().positive(),
    target: z.enum(BACKFILL_TARGETS),
    /** Who asked (a CLI user, the API): shown by `list` and in logs. */
    requestedBy: z.string().min(1).max(200).optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] })

export type BackfillRequest = z.infer<typeof backfillRequestSchema>

/**
 * Validates a request: a `CONFIG_INVALID` naming every problem otherwise.
 *
 * @example
 * parseBackfillRequest({ views: ['car_motion:v2'], from: 1_793_491_200_000, to: 1_794_096_000_000, target: 'both' })
 */
export function parseBackfillRequest(input: unknown): BackfillRequest {
  const parsed = backfillRequestSchema.safeParse(input)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`)
    throw new FreshetError('CONFIG_INVALID', `invalid backfill request: ${problems.join('; ')}`)
  }
  return parsed.data
}

/**
 * A point in time as a user writes it: an ISO 8601 date-time with its zone (`2026-11-01T00:00Z`,
 * `2026-11-01T01:00+01:00`) or a bare date (`2026-11-01`, midnight UTC), `now`, a time relative to now
 * (`-2h`, `-1d12h`), or epoch milliseconds. A date-time without a zone is refused: it would depend on the
 * machine's time zone.
 *
 * @example
 * parseBackfillTime('2026-11-01T00:00Z', Date.now()) // 1793491200000
 * parseBackfillTime('-2h', now) // now - 7_200_000
 */
export function parseBackfillTime(text: string, now: number, what = 'time'): number {
  const t = text.trim()
  if (t === 'now') return now
  if (t.startsWith('-')) return now - parseDuration(t.slice(1), `${what} ${t}`)
  if (/^\d{10,16}$/.test(t)) return Number(t)
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(t)
  const zoned = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/i.test(t)
  const ms = dateOnly || zoned ? Date.parse(t) : Number.NaN
  if (!Number.isFinite(ms)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `${what} '${text}' is not a time: use an ISO date-time with a zone (2026-11-01T00:00Z), a date ` +
        `(2026-11-01), 'now', a relative time (-2h) or epoch ms`,
    )
  }
  return ms
}

/**
 * The definitions of the requested view versions, from the catalogue a worker can run (`all`: every view).
 * An unknown ref is a `CONFIG_INVALID` that lists what is known: a backfill runs code, so a version that is not
 * deployed cannot be backfilled.
 *
 * @example
 * resolveBackfillViews(['car_motion:v1'], featureViews) // [carMotion]
 */
export function resolveBackfillViews(
  refs: readonly string[],
  catalogue: readonly AnyFeatureView[],
): AnyFeatureView[] {
  if (refs.includes('all')) return [...catalogue]
  const byRef = new Map(catalogue.map((v) => [v.ref, v]))
  const unknown = refs.filter((ref) => !byRef.has(ref))
  if (unknown.length > 0) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `unknown view version ${unknown.join(', ')}; this deployment runs ${[...byRef.keys()].join(', ')}`,
    )
  }
  return [...new Set(refs)].map((ref) => byRef.get(ref)!)
}

/**
 * The backfill that rebuilds the online store after Redis lost its data: every view, online only, over the last
 * ttl of the longest-lived view up to now (older values would be expired, and the writer skips them anyway).
 * Windows still open at `now` are the live engine's to close, as always. The sink's `replay-online` is the other
 * way back: it re-sinks what the live engine published (the feature topics) instead of recomputing it.
 *
 * @example
 * await client.start(onlineRebuildRequest(featureViews, Date.now()))
 */
export function onlineRebuildRequest(views: readonly AnyFeatureView[], now: number): BackfillRequest {
  if (views.length === 0) throw new FreshetError('CONFIG_INVALID', 'no views to rebuild the online store of')
  return {
    views: views.map((v) => v.ref),
    from: now - Math.max(...views.map((v) => v.ttlMs)),
    to: now,
    target: 'online',
  }
}
