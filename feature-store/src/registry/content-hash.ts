import { createHash } from 'node:crypto'
import type { RegisteredView } from './registered-view.js'

/**
 * The fields of a registered view that determine its output, and so are frozen once a version is published.
 *
 * In: entity (the join key of every consumer), source topic and schema ref, windows, grace, emission,
 * repartitioning, every field with its value function and aggregators (settings included), the output
 * columns, the key/eventTime/filter functions, and the ttl: it decides which values serving and training sets
 * treat as expired, so changing it under a trained model is training/serving skew, not a cosmetic edit.
 *
 * Out: the identity (`ref`, `name`, `version`, which the hash is stored under), and `owner` and `description`:
 * they change nothing a consumer reads, and fixing a typo or handing a view to another team must not need a new
 * version (a new topic, new keys, a backfill). The registry updates them in place instead.
 */
export const HASHED_KEYS = [
  'entity',
  'ttlMs',
  'graceMs',
  'emit',
  'repartition',
  'source',
  'windows',
  'fields',
  'features',
  'functions',
] as const satisfies readonly (keyof RegisteredView)[]

/** The hashed part of a registered view. */
export type ViewDefinition = Pick<RegisteredView, (typeof HASHED_KEYS)[number]>

/**
 * The hashed part of a registered view, for hashing and diffing.
 *
 * @example
 * definitionOf(entry).windows // [{ kind: 'hopping', label: '5m', sizeMs: 300000, slideMs: 60000 }, …]
 */
export function definitionOf(view: ViewDefinition): ViewDefinition {
  return Object.fromEntries(HASHED_KEYS.map((key) => [key, view[key]])) as ViewDefinition
}

/**
 * sha256 (hex) of the canonical JSON of a view's definition.
 *
 * @example
 * contentHashOf(describedView) // '3f1c…' (64 hex digits)
 */
export function contentHashOf(view: ViewDefinition): string {
  return createHash('sha256')
    .update(canonicalJson(definitionOf(view)))
    .digest('hex')
}

/**
 * JSON with object keys sorted at every level (array order kept: it is meaningful), so equal values always
 * give equal text. Undefined properties are left out, as `JSON.stringify` does.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    // JSON has no Infinity/NaN; hashing them as null would make distinct definitions collide.
    return JSON.stringify(String(value))
  }
  return JSON.stringify(value)
}
