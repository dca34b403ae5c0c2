import type { AnyFeatureView } from '../definitions/feature-view.js'
import { FreshetError } from '../errors.js'
import { formatDuration } from '../windows/duration.js'
import { canonicalJson } from './content-hash.js'
import { diffDefinitions } from './definition-diff.js'
import { describeView } from './describe-view.js'
import { type PromoteOptions, type Promotion, parseViewRef } from './promotion.js'
import type { RegisteredView } from './registered-view.js'
import type { RegistryReader, RegistryStore } from './registry-store.js'

/** What `register` did with one view version. */
export type RegistrationOutcome = 'registered' | 'unchanged' | 'metadata-updated'

export interface Registration {
  ref: string
  outcome: RegistrationOutcome
  /** The entry as stored afterwards. */
  entry: RegisteredView
}

export interface FeatureRegistryOptions {
  store: RegistryStore
  /** Clock for `registeredAt`. Default `Date.now`. */
  now?: () => number
}

const HASH_SHOWN = 12

/**
 * The feature registry: every feature view version with its schema, entity, ttl, owner, description and the
 * content hash of its definition. A registered version is immutable: registering a different definition under
 * the same ref fails with `REGISTRY_CONFLICT` naming what changed. Owner and description are metadata (not
 * hashed, see content-hash.ts) and are updated in place.
 *
 * Each view name has one promoted version: what serving answers for the bare name (`car_motion`). The first
 * version registered under a new name is promoted; after that only `promote` changes it, so a new version can
 * be registered, run live and backfilled while the old one keeps serving.
 *
 * @example
 * const registry = new FeatureRegistry({ store: createRedisRegistryStore({ url }) })
 * await registry.register(featureViews) // idempotent; throws REGISTRY_CONFLICT on a changed published view
 * for (const view of await registry.list()) console.log(view.ref, view.contentHash.slice(0, 12))
 * await registry.promote('car_motion:v2', { requireBackfill: (ref) => findCompletedBackfill(ref) })
 */
export class FeatureRegistry implements RegistryReader {
  readonly #store: RegistryStore
  readonly #now: () => number

  constructor(options: FeatureRegistryOptions) {
    this.#store = options.store
    this.#now = options.now ?? Date.now
  }

  /**
   * Registers each view version: stores it when absent, does nothing when the same definition is stored,
   * updates owner/description when only they differ. Checks every view before writing any, so a conflict
   * leaves the registry as it was (bar another process registering at the same moment).
   */
  async register(views: readonly AnyFeatureView[]): Promise<Registration[]> {
    const described = distinctRefs(views.map(describeView))
    const stored = await Promise.all(described.map((d) => this.#store.get(d.ref)))
    const conflicts = described.flatMap((d, i) => {
      const existing = stored[i]
      return existing !== undefined && existing.contentHash !== d.contentHash
        ? [conflictLines(existing, d)]
        : []
    })
    if (conflicts.length > 0) throw conflictError(conflicts)

    // Write down which version each name serves before registering new ones (a registry older than promotion
    // serves the lowest version implicitly, and registering a lower one must not change that), and after, for
    // names registered for the first time: their first version.
    const names = [...new Set(described.map((d) => d.name))]
    const pinned = await this.#pinPromoted(names)
    const registrations: Registration[] = []
    for (const [i, d] of described.entries()) registrations.push(await this.#registerOne(d, stored[i]))
    await this.#pinPromoted(names.filter((n) => !pinned.has(n)))
    return registrations
  }

  /**
   * Promotes a registered view version: serving answers for the bare view name from it from now on. Refuses
   * with `VIEW_NOT_REGISTERED` (an unknown version), `PROMOTION_NEEDS_BACKFILL` (`requireBackfill` found no
   * completed backfill of it) or `PROMOTION_CONFLICT` (another promotion of the name landed first: a
   * compare-and-set, so two operators cannot both win); `CONFIG_INVALID` when `ref` is not a view version.
   *
   * @example
   * const { previous, version } = await registry.promote('car_motion:v2', { requireBackfill })
   * console.log(`car_motion: v${previous} → v${version}`)
   */
  async promote(ref: string, options: PromoteOptions = {}): Promise<Promotion> {
    const parsed = parseViewRef(ref)
    if (parsed === undefined) {
      throw new FreshetError('CONFIG_INVALID', `'${ref}' is not a view version: write it like car_motion:v2`)
    }
    const { name, version } = parsed
    const [entry, current] = await Promise.all([this.#store.get(ref), this.#store.promoted(name)])
    if (entry === undefined) throw await this.#notRegistered(ref, name)
    const expected = options.expectedCurrent ?? current
    if (expected !== current) throw promotionConflict(name, expected, current)
    if (current === version) return { name, ref, previous: current, version, outcome: 'unchanged' }

    const backfill = options.requireBackfill && (await options.requireBackfill(ref))
    if (options.requireBackfill && !backfill) {
      throw new FreshetError(
        'PROMOTION_NEEDS_BACKFILL',
        `no completed backfill of ${ref} into the online store: promoted now, ${name} would answer from ` +
          `what the live engine wrote since ${ref} went live, not the ${formatDuration(entry.ttlMs)} of ` +
          `history a value may need. Backfill it first (freshet backfill start --view ${ref} --from ` +
          `-${formatDuration(entry.ttlMs)} --target both --wait), or promote without the check (--force).`,
      )
    }
    const write = await this.#store.setPromoted(name, version, expected)
    if (write.outcome === 'not-registered') throw await this.#notRegistered(ref, name)
    if (write.outcome === 'conflict') throw promotionConflict(name, expected, write.current)
    return { name, ref, previous: current, version, outcome: 'promoted', ...(backfill ? { backfill } : {}) }
  }

  promoted(name: string): Promise<number | undefined> {
    return this.#store.promoted(name)
  }

  listPromoted(): Promise<Record<string, number>> {
    return this.#store.listPromoted()
  }

  get(ref: string): Promise<RegisteredView | undefined> {
    return this.#store.get(ref)
  }

  list(): Promise<RegisteredView[]> {
    return this.#store.list()
  }

  close(): Promise<void> {
    return this.#store.close()
  }

  /**
   * Stores the promoted version of each name that has one (compare-and-set on what was read, so a promotion
   * landing meanwhile wins); returns the names that had one.
   */
  async #pinPromoted(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set()
    const inService = await this.#store.listPromoted()
    const known = names.filter((n) => inService[n] !== undefined)
    for (const name of known) await this.#store.setPromoted(name, inService[name]!, inService[name])
    return new Set(known)
  }

  async #notRegistered(ref: string, name: string): Promise<FreshetError> {
    const versions = (await this.#store.list()).filter((v) => v.name === name).map((v) => `v${v.version}`)
    return new FreshetError(
      'VIEW_NOT_REGISTERED',
      `feature view ${ref} is not registered (${
        versions.length > 0
          ? `${name} has ${versions.join(', ')}`
          : `no version of ${name} is: the sink and \`freshet views\` register the code's views`
      })`,
    )
  }

  async #registerOne(described: RegisteredView, existing: RegisteredView | undefined): Promise<Registration> {
    const ref = described.ref
    if (existing === undefined) {
      const candidate = { ...described, registeredAt: this.#now() }
      const entry = await this.#store.putIfAbsent(candidate)
      // Another process may have registered this ref since our read.
      if (entry.contentHash !== described.contentHash) throw conflictError([conflictLines(entry, described)])
      if (canonicalJson(entry) === canonicalJson(candidate)) return { ref, outcome: 'registered', entry }
      existing = entry
    }
    if (existing.owner === described.owner && existing.description === described.description) {
      return { ref, outcome: 'unchanged', entry: existing }
    }
    const updated = { ...existing, owner: described.owner, description: described.description }
    const entry = await this.#store.replaceIfSameHash(updated)
    if (entry === undefined || entry.contentHash !== described.contentHash) {
      throw new FreshetError(
        'REGISTRY_CONFLICT',
        `feature view ${ref} changed in the registry while its metadata was being updated; register again`,
        { retriable: true },
      )
    }
    return { ref, outcome: 'metadata-updated', entry }
  }
}

/** One entry per ref; two different definitions of one ref in the same code are a conflict too. */
function distinctRefs(described: readonly RegisteredView[]): RegisteredView[] {
  const byRef = new Map<string, RegisteredView>()
  const conflicts: string[][] = []
  for (const d of described) {
    const first = byRef.get(d.ref)
    if (first === undefined) byRef.set(d.ref, d)
    else if (first.contentHash !== d.contentHash) conflicts.push(conflictLines(first, d, true))
  }
  if (conflicts.length > 0) throw conflictError(conflicts)
  return [...byRef.values()]
}

function conflictLines(registered: RegisteredView, code: RegisteredView, twice = false): string[] {
  const [a, b] = [registered.contentHash.slice(0, HASH_SHOWN), code.contentHash.slice(0, HASH_SHOWN)]
  const changes = diffDefinitions(registered, code)
  return [
    twice
      ? `feature view ${code.ref} is defined twice, differently (first ${a}, then ${b}):`
      : `feature view ${code.ref} is already registered with another definition (registered ${a}, code ${b}):`,
    ...(changes.length > 0
      ? changes
      : ['no described field differs: the registry computed its hash differently when this was registered']
    ).map((c) => `  - ${c}`),
  ]
}

function promotionConflict(name: string, expected: number | undefined, current: number | undefined) {
  const v = (n: number | undefined) => (n === undefined ? 'none' : `v${n}`)
  return new FreshetError(
    'PROMOTION_CONFLICT',
    `the promoted version of ${name} is ${v(current)}, not ${v(expected)} as expected: someone else promoted ` +
      'it meanwhile. Nothing was changed; check (freshet views) and promote again.',
  )
}

function conflictError(conflicts: readonly string[][]): FreshetError {
  const refs = conflicts.length
  return new FreshetError(
    'REGISTRY_CONFLICT',
    `${conflicts.map((lines) => lines.join('\n')).join('\n')}\n` +
      `A published feature view version is immutable: give the changed definition${refs > 1 ? 's' : ''} a new ` +
      'version (and leave the published one as it is while anything still reads it).',
  )
}
