import { promotedVersions } from './promotion.js'
import { compareRegisteredViews, type RegisteredView } from './registered-view.js'
import type { RegistryStore } from './registry-store.js'

/**
 * A registry store in process memory, for unit tests and offline tools. Entries are copied in and out, so a
 * caller mutating what it passed or got back cannot change what is stored. Each method runs to completion
 * before another starts (no await inside), which makes `setPromoted` a compare-and-set like the Redis store's.
 *
 * @example
 * const registry = new FeatureRegistry({ store: createMemoryRegistryStore() })
 */
export function createMemoryRegistryStore(): RegistryStore {
  const entries = new Map<string, RegisteredView>()
  const promotions: Record<string, number> = {}
  const copy = (entry: RegisteredView): RegisteredView => structuredClone(entry)
  const inService = () => promotedVersions(entries.values(), promotions)
  return {
    async get(ref) {
      const entry = entries.get(ref)
      return entry && copy(entry)
    },
    async list() {
      return [...entries.values()].sort(compareRegisteredViews).map(copy)
    },
    async promoted(name) {
      return inService()[name]
    },
    async listPromoted() {
      return inService()
    },
    async putIfAbsent(entry) {
      if (!entries.has(entry.ref)) entries.set(entry.ref, copy(entry))
      return copy(entries.get(entry.ref)!)
    },
    async replaceIfSameHash(entry) {
      const stored = entries.get(entry.ref)
      if (stored === undefined) return undefined
      if (stored.contentHash === entry.contentHash) entries.set(entry.ref, copy(entry))
      return copy(entries.get(entry.ref)!)
    },
    async setPromoted(name, version, expectedCurrent) {
      const current = inService()[name]
      if (!entries.has(`${name}:v${version}`)) return { outcome: 'not-registered', current }
      if (expectedCurrent !== undefined && current !== expectedCurrent)
        return { outcome: 'conflict', current }
      promotions[name] = version
      return { outcome: 'promoted', current: version }
    },
    async close() {},
  }
}
