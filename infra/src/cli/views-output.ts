import {
  formatDuration,
  type RegisteredView,
  type Registration,
  type RegistrationOutcome,
} from '@freshet/feature-store'

const HASH_SHOWN = 12
const COLUMNS = ['REF', 'ENTITY', 'FEATURES', 'TTL', 'OWNER', 'HASH', 'REGISTERED'] as const

/**
 * The registry as a table: one row per view version, ordered as the registry lists them.
 *
 * @example
 * formatViewsTable(await registry.list())
 * // REF            ENTITY  FEATURES  TTL  OWNER              HASH          REGISTERED
 * // car_motion:v1  car     6         2h   mobility-features  3f1c0a9b2d4e  2025-11-27 05:40Z
 */
export function formatViewsTable(views: readonly RegisteredView[]): string {
  const rows = views.map((v) => [
    v.ref,
    v.entity,
    String(v.features.length),
    formatDuration(v.ttlMs),
    v.owner,
    v.contentHash.slice(0, HASH_SHOWN),
    v.registeredAt === undefined
      ? ''
      : `${new Date(v.registeredAt).toISOString().slice(0, 16).replace('T', ' ')}Z`,
  ])
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)))
  return [[...COLUMNS], ...rows]
    .map((cells) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

const OUTCOMES: readonly [RegistrationOutcome, string][] = [
  ['registered', 'registered'],
  ['metadata-updated', 'metadata updated'],
  ['unchanged', 'unchanged'],
]

/**
 * One line on what registering the code's views did.
 *
 * @example
 * formatRegistrationSummary(registrations, 'redis://127.0.0.1:16379', 'freshet:registry')
 * // '6 views in code: 1 registered, 0 metadata updated, 5 unchanged (redis://127.0.0.1:16379 freshet:registry)'
 */
export function formatRegistrationSummary(
  registrations: readonly Registration[],
  target: string,
  key: string,
): string {
  const counts = OUTCOMES.map(
    ([outcome, label]) => `${registrations.filter((r) => r.outcome === outcome).length} ${label}`,
  )
  return `${registrations.length} views in code: ${counts.join(', ')} (${target} ${key})`
}
