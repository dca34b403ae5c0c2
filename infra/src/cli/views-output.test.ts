import type { RegisteredView, Registration } from '@freshet/feature-store'
import { describe, expect, it } from 'vitest'
import { formatPromotion, formatRegistrationSummary, formatViewsTable } from './views-output.js'

const entry = (ref: string, owner: string, features: number, ttlMs: number): RegisteredView =>
  ({
    ref,
    name: ref.split(':')[0],
    version: Number(ref.split(':v')[1]),
    entity: ref.startsWith('zone') ? 'zone' : 'car',
    owner,
    ttlMs,
    features: Array.from({ length: features }, () => ({})),
    contentHash: `${ref.length.toString(16).padStart(2, '0')}${'ab'.repeat(31)}`,
    registeredAt: Date.parse('2025-11-27T05:40:12Z'),
  }) as RegisteredView

describe('views output', () => {
  it('lists ref, promotion, entity, feature count, ttl, owner, hash prefix and registration time aligned', () => {
    const table = formatViewsTable(
      [
        entry('car_motion:v1', 'mobility-features', 6, 7_200_000),
        entry('car_motion:v2', 'mobility-features', 7, 7_200_000),
        entry('zone_demand:v12', 'pricing', 2, 300_000),
      ],
      { car_motion: 2, zone_demand: 12 },
    )
    expect(table).toBe(
      [
        'REF              PROMOTED  ENTITY  FEATURES  TTL  OWNER              HASH          REGISTERED',
        'car_motion:v1              car     6         2h   mobility-features  0dababababab  2025-11-27 05:40Z',
        'car_motion:v2    yes       car     7         2h   mobility-features  0dababababab  2025-11-27 05:40Z',
        'zone_demand:v12  yes       zone    2         5m   pricing            0fababababab  2025-11-27 05:40Z',
      ].join('\n'),
    )
  })

  it('says what a promotion changed and what it rests on', () => {
    const base = { name: 'car_motion', ref: 'car_motion:v2', previous: 1, version: 2 }
    const at = Date.parse('2026-11-30T05:52:10Z')
    expect(
      formatPromotion({
        ...base,
        outcome: 'promoted',
        backfill: { id: 'bf-1a2b3c4d', from: at - 86_400_000, to: at - 720_000, finishedAt: at },
      }),
    ).toBe(
      'car_motion: v1 → v2 (backfill bf-1a2b3c4d of 2026-11-29 05:52Z → 2026-11-30 05:40Z, completed 2026-11-30 05:52Z)',
    )
    expect(formatPromotion({ ...base, outcome: 'promoted' })).toBe(
      'car_motion: v1 → v2 (forced: no backfill checked)',
    )
    expect(formatPromotion({ ...base, previous: 2, outcome: 'unchanged' })).toBe(
      'car_motion: v2 is promoted already (nothing changed)',
    )
  })

  it('counts what registering did', () => {
    const outcomes = ['registered', 'unchanged', 'unchanged', 'metadata-updated'] as const
    const registrations = outcomes.map((outcome) => ({ outcome }) as Registration)
    expect(formatRegistrationSummary(registrations, 'redis://127.0.0.1:16379', 'freshet:registry')).toBe(
      '4 views in code: 1 registered, 1 metadata updated, 2 unchanged (redis://127.0.0.1:16379 freshet:registry)',
    )
  })
})
