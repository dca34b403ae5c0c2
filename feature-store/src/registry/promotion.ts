import type { RegisteredView } from './registered-view.js'

/** A view version as users write it: `car_motion:v2`. */
const VIEW_REF = /^([a-z][a-z0-9_]*):v([1-9][0-9]*)$/

/**
 * Parses a view version ref (`car_motion:v2`); undefined when `ref` is not one.
 *
 * @example
 * parseViewRef('car_motion:v2') // { name: 'car_motion', version: 2 }
 * parseViewRef('car_motion') // undefined
 */
export function parseViewRef(ref: string): { name: string; version: number } | undefined {
  const match = VIEW_REF.exec(ref)
  return match ? { name: match[1]!, version: Number(match[2]) } : undefined
}

/**
 * The promoted version of every registered view name, from the registered versions and the promotions a store
 * holds: the promoted version when it is registered, else the lowest registered version (a name never
 * promoted: `FeatureRegistry.register` writes that choice down, registries older than promotion rely on it).
 * Every store computes it this way (the Redis store's compare-and-set does the same in Lua).
 *
 * @example
 * promotedVersions([{ name: 'car_motion', version: 1 }, { name: 'car_motion', version: 2 }], { car_motion: 2 })
 * // { car_motion: 2 }
 */
export function promotedVersions(
  registered: Iterable<Pick<RegisteredView, 'name' | 'version'>>,
  promotions: Readonly<Record<string, number>>,
): Record<string, number> {
  const versions = new Map<string, Set<number>>()
  for (const { name, version } of registered) {
    const known = versions.get(name) ?? new Set<number>()
    known.add(version)
    versions.set(name, known)
  }
  const result: Record<string, number> = {}
  for (const name of [...versions.keys()].sort()) {
    const known = versions.get(name)!
    const promoted = Object.hasOwn(promotions, name) ? promotions[name] : undefined
    result[name] = promoted !== undefined && known.has(promoted) ? promoted : Math.min(...known)
  }
  return result
}

/**
 * Evidence that a view version's history was backfilled into the online store, found by whoever asks for a
 * promotion (the CLI reads it from the backfill queues; the registry does not know them).
 */
export interface BackfillEvidence {
  /** The backfill's id, e.g. `bf-1a2b3c4d`. */
  id: string
  /** The window ends it covered, `[from, to)` epoch ms. */
  from?: number
  to?: number
  /** When it completed (epoch ms). */
  finishedAt?: number
}

export interface PromoteOptions {
  /**
   * Requires evidence that the version was backfilled before it serves: called with the ref (`car_motion:v2`)
   * once the ref is known to be registered; a promotion it finds no evidence for is refused with
   * `PROMOTION_NEEDS_BACKFILL`. Omit to promote without evidence (the CLI's `--force`).
   */
  requireBackfill?: (ref: string) => Promise<BackfillEvidence | undefined>
  /**
   * The version the caller expects to be promoted now (what it showed the operator); the promotion is refused
   * with `PROMOTION_CONFLICT` when it is not. Default: the version read when `promote` starts, so a
   * promotion landing between that read and the write is still refused.
   */
  expectedCurrent?: number
}

/** What `FeatureRegistry.promote` did. */
export interface Promotion {
  /** The view name, `car_motion`. */
  name: string
  /** The promoted version's ref, `car_motion:v2`. */
  ref: string
  /** The version promoted before. */
  previous: number | undefined
  /** The version promoted now. */
  version: number
  /** `unchanged` when `version` was promoted already (no backfill is asked for then). */
  outcome: 'promoted' | 'unchanged'
  /** The evidence `requireBackfill` returned. */
  backfill?: BackfillEvidence
}
