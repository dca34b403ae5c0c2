import type { AnyFeatureView } from '../definitions/feature-view.js'
import { FreshetError } from '../errors.js'
import { canonicalJson } from './content-hash.js'
import { diffDefinitions } from './definition-diff.js'
import { describeView } from './describe-view.js'
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
 * @example
 * const registry = new FeatureRegistry({ store: createRedisRegistryStore({ url }) })
 * await registry.register(featureViews) // idempotent; throws REGISTRY_CONFLICT on a changed published view
 * for (const view of await registry.list()) console.log(view.ref, view.contentHash.slice(0, 12))
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

    const registrations: Registration[] = []
    for (const [i, d] of described.entries()) registrations.push(await this.#registerOne(d, stored[i]))
    return registrations
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

function conflictError(conflicts: readonly string[][]): FreshetError {
  const refs = conflicts.length
  return new FreshetError(
    'REGISTRY_CONFLICT',
    `${conflicts.map((lines) => lines.join('\n')).join('\n')}\n` +
      `A published feature view version is immutable: give the changed definition${refs > 1 ? 's' : ''} a new ` +
      'version (and leave the published one as it is while anything still reads it).',
  )
}
