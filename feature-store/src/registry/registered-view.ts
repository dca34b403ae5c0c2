import { z } from 'zod'
import { FreshetError } from '../errors.js'

/** A window as registered: the `WindowSpec` fields, nothing else. */
export type RegisteredWindow =
  | { kind: 'tumbling'; label: string; sizeMs: number }
  | { kind: 'hopping'; label: string; sizeMs: number; slideMs: number }
  | { kind: 'sliding'; label: string; sizeMs: number }
  | { kind: 'session'; label: string; gapMs: number }

/** An aggregator as registered: its id and the settings it was built with (percentile accuracy, HLL precision). */
export interface RegisteredAggregator {
  id: string
  params: Record<string, number | string | boolean>
}

/** One input field of a view: how it is read and what aggregates it. */
export interface RegisteredField {
  name: string
  /** Canonical source of the field's `value` function; null when the field reads the event's own property. */
  value: string | null
  aggregators: RegisteredAggregator[]
}

/** One output column. Every aggregator result is a nullable double. */
export interface RegisteredFeature {
  name: string
  type: 'float64'
  window: string
  field: string
  aggregator: string
}

/**
 * One feature view version as the registry holds it: plain JSON, the same in every store and API.
 * `owner` and `description` are metadata; everything else but the identity (`ref`, `name`, `version`) and
 * `registeredAt` is covered by `contentHash` (see content-hash.ts).
 */
export interface RegisteredView {
  /** `car_motion:v1` */
  ref: string
  name: string
  version: number
  /** What the key identifies: `car`, `zone`. */
  entity: string
  description: string
  owner: string
  /** How long an online value stays valid after its event time. */
  ttlMs: number
  graceMs: number
  emit: 'final' | 'updating'
  repartition: boolean
  source: { topic: string; schema: { name: string; version: number } }
  windows: RegisteredWindow[]
  fields: RegisteredField[]
  features: RegisteredFeature[]
  /** Canonical source text of the view's functions (function-text.ts); `filter` null when it keeps every event. */
  functions: { key: string; eventTime: string; filter: string | null }
  /** sha256 (hex) of the canonical JSON of the hashed fields. */
  contentHash: string
  /** When this version was first registered (epoch ms); absent on a description not stored yet. */
  registeredAt?: number
}

const name = z.string().min(1)
const ms = z.number().int().nonnegative()

/** Validates registry entries read back from a store or an API. */
export const registeredViewSchema: z.ZodType<RegisteredView> = z.object({
  ref: z.string().regex(/^[a-z][a-z0-9_]*:v[1-9]\d*$/),
  name,
  version: z.number().int().positive(),
  entity: name,
  description: z.string(),
  owner: z.string(),
  ttlMs: ms,
  graceMs: ms,
  emit: z.enum(['final', 'updating']),
  repartition: z.boolean(),
  source: z.object({
    topic: name,
    schema: z.object({ name, version: z.number().int() }),
  }),
  windows: z.array(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('tumbling'), label: name, sizeMs: ms }),
      z.object({ kind: z.literal('hopping'), label: name, sizeMs: ms, slideMs: ms }),
      z.object({ kind: z.literal('sliding'), label: name, sizeMs: ms }),
      z.object({ kind: z.literal('session'), label: name, gapMs: ms }),
    ]),
  ),
  fields: z.array(
    z.object({
      name,
      value: z.string().nullable(),
      aggregators: z.array(
        z.object({ id: name, params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])) }),
      ),
    }),
  ),
  features: z.array(
    z.object({ name, type: z.literal('float64'), window: name, field: name, aggregator: name }),
  ),
  functions: z.object({ key: z.string(), eventTime: z.string(), filter: z.string().nullable() }),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  registeredAt: ms.optional(),
})

/**
 * Parses a stored registry entry (JSON text), failing with `STORE_QUERY_FAILED` naming the ref when it is not
 * one: a store holding something else under the registry's key must not pass for a registration.
 *
 * @example
 * const entry = parseRegisteredView(await redis.hget('freshet:registry', 'car_motion:v1'), 'car_motion:v1')
 */
export function parseRegisteredView(json: string, ref: string): RegisteredView {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch (cause) {
    throw new FreshetError('STORE_QUERY_FAILED', `registry entry ${ref} is not JSON`, { cause })
  }
  const parsed = registeredViewSchema.safeParse(data)
  if (!parsed.success) {
    throw new FreshetError(
      'STORE_QUERY_FAILED',
      `registry entry ${ref} is not a registered view: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    )
  }
  return parsed.data
}

/**
 * Registry order: by name, then version (numerically, so v10 follows v9).
 *
 * @example
 * entries.sort(compareRegisteredViews)
 */
export function compareRegisteredViews(
  a: Pick<RegisteredView, 'name' | 'version'>,
  b: Pick<RegisteredView, 'name' | 'version'>,
): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version
}
