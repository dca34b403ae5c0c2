import type { RegisteredView, Registration } from '@freshet/feature-store'
import { describe, expect, it } from 'vitest'
import { formatRegistrationSummary, formatViewsTable } from './views-output.js'

const entry = (ref: string, owner: string, features: number, ttlMs: number): RegisteredView =>
  ({
    ref,
    entity: ref.startsWith('zone') ? 'zone' : 'car',
    owner,
    ttlMs,
    features: Array.from({ length: features }, () => ({})),
    contentHash: `${ref.length.toString(16).padStart(2, '0')}${'ab'.repeat(31)}`,
    registeredAt: Date.parse('2025-11-27T05:40:12Z'),
  }) as RegisteredView

describe('views output', () => {
  it('lists ref, entity, feature count, ttl, owner, hash prefix and registration time in aligned columns', () => {
    const table = formatViewsTable([
      entry('car_motion:v1', 'mobility-features', 6, 7_200_000),
      entry('zone_demand:v12', 'pricing', 2, 300_000),
    ])
    expect(table).toBe(
      [
        'REF              ENTITY  FEATURES  TTL  OWNER              HASH          REGISTERED',
        'car_motion:v1    car     6         2h   mobility-features  0dababababab  2025-11-27 05:40Z',
        'zone_demand:v12  zone    2         5m   pricing            0fababababab  2025-11-27 05:40Z',
      ].join('\n'),
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
