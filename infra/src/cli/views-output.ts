import {
  formatDuration,
  type Promotion,
  type RegisteredView,
  type Registration,
  type RegistrationOutcome,
} from '@freshet/feature-store'

const HASH_SHOWN = 12
const COLUMNS = ['REF', 'PROMOTED', 'ENTITY', 'FEATURES', 'TTL', 'OWNER', 'HASH', 'REGISTERED'] as const

/**
 * The registry as a table: one row per view version, ordered as the registry lists them. PROMOTED marks the
 * version serving answers for the bare view name from (`registry.listPromoted()`).
 *
 * @example
 * formatViewsTable(await registry.list(), await registry.listPromoted())
 * // REF            PROMOTED  ENTITY  FEATURES  TTL  OWNER              HASH          REGISTERED
 * // car_motion:v1  yes       car     6         2h   mobility-features  3f1c0a9b2d4e  2025-11-27 05:40Z
 * // car_motion:v2            car     7         2h   mobility-features  9d0e4c1b7a2f  2025-11-29 11:02Z
 */
export function formatViewsTable(
  views: readonly RegisteredView[],
  promoted: Readonly<Record<string, number>> = {},
): string {
  const rows = views.map((v) => [
    v.ref,
    promoted[v.name] === v.version ? 'yes' : '',
    v.entity,
    String(v.features.length),
    formatDuration(v.ttlMs),
    v.owner,
    v.contentHash.slice(0, HASH_SHOWN),
    v.registeredAt === undefined ? '' : minute(v.registeredAt),
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

/** `2026-11-30 05:40Z` */
function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`
}

/**
 * What a promotion did, in one line: the change (or that there was none) and what it rests on.
 *
 * @example
 * formatPromotion(promotion)
 * // 'car_motion: v1 → v2 (backfill bf-1a2b3c4d of 2026-11-29 05:40Z → 2026-11-30 05:40Z, completed 2026-11-30 05:52Z)'
 */
export function formatPromotion(p: Promotion): string {
  if (p.outcome === 'unchanged') return `${p.name}: v${p.version} is promoted already (nothing changed)`
  const change = `${p.name}: ${p.previous === undefined ? 'none' : `v${p.previous}`} → v${p.version}`
  const b = p.backfill
  if (b === undefined) return `${change} (forced: no backfill checked)`
  const range = b.from !== undefined && b.to !== undefined ? ` of ${minute(b.from)} → ${minute(b.to)}` : ''
  const finished = b.finishedAt !== undefined ? `, completed ${minute(b.finishedAt)}` : ''
  return `${change} (backfill ${b.id}${range}${finished})`
}
