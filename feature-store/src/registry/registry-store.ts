import type { RegisteredView } from './registered-view.js'

/**
 * Reads the feature registry: what serving (`GET /v1/feature-views`) and CLIs need. Like the store ports in
 * store/ports.ts it names no client or connection; the adapter owns its connection.
 */
export interface RegistryReader {
  /** The entry of one view version (`car_motion:v1`), or undefined. */
  get(ref: string): Promise<RegisteredView | undefined>
  /** Every entry, by name then version (see `compareRegisteredViews`). */
  list(): Promise<RegisteredView[]>
  /**
   * The promoted version of view `name`: the one serving answers for the bare name. A name never promoted
   * (a registry written before promotion existed) has its lowest registered version promoted, implicitly;
   * undefined when no version of `name` is registered. See `promotedVersions`.
   */
  promoted(name: string): Promise<number | undefined>
  /** The promoted version of every registered view name, by name. */
  listPromoted(): Promise<Record<string, number>>
  close(): Promise<void>
}

/**
 * What `setPromoted` did: `promoted` (the version is promoted now, also when it already was), `conflict` (the
 * promoted version was not `expectedCurrent`; nothing changed) or `not-registered` (no such version; nothing
 * changed). `current` is the promoted version afterwards.
 */
export interface PromotionWrite {
  outcome: 'promoted' | 'conflict' | 'not-registered'
  current: number | undefined
}

/**
 * Stores registry entries. Entries are never deleted and their definition never changes: the only writes are
 * "create if absent" and "replace keeping the same content hash" (metadata), each atomic, so two processes
 * registering at once cannot both win and nothing can swap a published definition. The promoted version of a
 * name changes only through `setPromoted`, a compare-and-set.
 */
export interface RegistryStore extends RegistryReader {
  /** Stores `entry` unless its ref is taken; returns what is stored afterwards (`entry`, or the earlier one). */
  putIfAbsent(entry: RegisteredView): Promise<RegisteredView>
  /**
   * Replaces the entry of `entry.ref` only while the stored one has the same `contentHash`; returns what is
   * stored afterwards (undefined when there is no entry).
   */
  replaceIfSameHash(entry: RegisteredView): Promise<RegisteredView | undefined>
  /**
   * Promotes version `version` of view `name`, atomically: only when `name:v<version>` is registered and, when
   * `expectedCurrent` is given, only while `promoted(name)` is still `expectedCurrent` (so of two operators
   * promoting from the same version at once, exactly one wins). Omit `expectedCurrent` to promote
   * unconditionally.
   */
  setPromoted(name: string, version: number, expectedCurrent?: number): Promise<PromotionWrite>
}
