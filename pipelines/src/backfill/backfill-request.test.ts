import { describe, expect, it } from 'vitest'
import { featureViews } from '../features/index.js'
import {
  onlineRebuildRequest,
  parseBackfillRequest,
  parseBackfillTime,
  resolveBackfillViews,
} from './backfill-request.js'

const NOW = Date.UTC(2026, 10, 30, 12, 0)

describe('backfill requests', () => {
  it('reads ISO times with a zone, dates, now, relative times and epoch ms', () => {
    expect(parseBackfillTime('2026-11-01T00:00Z', NOW)).toBe(Date.UTC(2026, 10, 1))
    expect(parseBackfillTime('2026-11-01T01:30+01:00', NOW)).toBe(Date.UTC(2026, 10, 1, 0, 30))
    expect(parseBackfillTime('2026-11-08', NOW)).toBe(Date.UTC(2026, 10, 8))
    expect(parseBackfillTime('now', NOW)).toBe(NOW)
    expect(parseBackfillTime('-2h', NOW)).toBe(NOW - 7_200_000)
    expect(parseBackfillTime('-1d12h', NOW)).toBe(NOW - 36 * 3_600_000)
    expect(parseBackfillTime('1793491200000', NOW)).toBe(1_793_491_200_000)
  })

  it('refuses a date-time without a zone and anything else that is not a time', () => {
    for (const bad of ['2026-11-01T00:00', 'yesterday', '-2x', '', '2026-13-45']) {
      expect(() => parseBackfillTime(bad, NOW, '--from')).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    }
  })

  it('validates a request and names every problem', () => {
    expect(parseBackfillRequest({ views: ['car_motion:v2'], from: 1, to: 2, target: 'both' })).toEqual({
      views: ['car_motion:v2'],
      from: 1,
      to: 2,
      target: 'both',
    })
    let message = ''
    try {
      parseBackfillRequest({ views: ['car motion'], from: 5, to: 2, target: 'disk' })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain("views.0: must be a view version like 'car_motion:v2' or 'all'")
    expect(message).toContain('target: ')
    expect(() => parseBackfillRequest({ views: ['all'], from: 5, to: 5, target: 'online' })).toThrow(
      'to: from must be before to',
    )
    expect(() => parseBackfillRequest({ views: [], from: 1, to: 2, target: 'online', extra: 1 })).toThrow(
      /invalid backfill request/,
    )
  })

  it('resolves refs against the catalogue; all means every view; unknown ones are listed', () => {
    expect(resolveBackfillViews(['car_motion:v1', 'car_motion:v1'], featureViews).map((v) => v.ref)).toEqual([
      'car_motion:v1',
    ])
    expect(resolveBackfillViews(['all'], featureViews)).toHaveLength(featureViews.length)
    expect(() => resolveBackfillViews(['car_motion:v9', 'nope:v1'], featureViews)).toThrow(
      /unknown view version car_motion:v9, nope:v1; this deployment runs car_motion:v1, /,
    )
  })

  it('rebuilds the online store over the longest ttl up to now, every view, online only', () => {
    const request = onlineRebuildRequest(featureViews, NOW)
    const longest = Math.max(...featureViews.map((v) => v.ttlMs))
    expect(request).toEqual({
      views: featureViews.map((v) => v.ref),
      from: NOW - longest,
      to: NOW,
      target: 'online',
    })
    expect(parseBackfillRequest(request)).toEqual(request)
  })
})
