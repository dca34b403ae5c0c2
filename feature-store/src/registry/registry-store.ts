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
  close(): Promise<void>
}

/**
 * Stores registry entries. Entries are never deleted and their definition never changes: the only writes are
 * "create if absent" and "replace keeping the same content hash" (metadata), each atomic, so two processes
 * registering at once cannot both win and nothing can swap a published definition.
 */
export interface RegistryStore extends RegistryReader {
  /** Stores `entry` unless its ref is taken; returns what is stored afterwards (`entry`, or the earlier one). */
  putIfAbsent(entry: RegisteredView): Promise<RegisteredView>
  /**
   * Replaces the entry of `entry.ref` only while the stored one has the same `contentHash`; returns what is
   * stored afterwards (undefined when there is no entry).
   */
  replaceIfSameHash(entry: RegisteredView): Promise<RegisteredView | undefined>
}
