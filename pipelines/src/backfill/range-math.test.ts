import { defineFeatureView, hopping, mean, session, sliding, tumbling } from '@freshet/feature-store'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { carTelemetrySchema } from '../events/event-schema.js'
import { carMotion, zoneTraffic } from '../features/index.js'
import {
  closeTime,
  inBackfillRange,
  planRange,
  rangeSize,
  SESSION_HORIZON_MS,
  warmupMs,
} from './range-math.js'

const view = (windows: Parameters<typeof defineFeatureView>[0]['windows'], grace = '10s') =>
  defineFeatureView({
    name: 'v',
    version: 1,
    entity: 'car',
    owner: 't',
    description: 't',
    source: { topic: 't', schema: carTelemetrySchema },
    key: (e) => e.carId,
    eventTime: (e) => e.ts,
    windows,
    grace,
    emit: 'final',
    ttl: '1h',
    features: { speedKmh: [mean] },
  })

describe('backfill range math', () => {
  it('warms up by the longest window plus grace, sessions by the session horizon', () => {
    expect(warmupMs([carMotion])).toBe(15 * 60_000 + 30_000)
    expect(warmupMs([view([tumbling('5m')]), view([hopping('1h', '5m')], '1m')])).toBe(61 * 60_000)
    expect(warmupMs([view([sliding('10m')])])).toBe(10 * 60_000 + 10_000)
    expect(warmupMs([view([session('30m')])])).toBe(SESSION_HORIZON_MS + 10_000)
    expect(warmupMs([])).toBe(0)
  })

  it('closes a range at to plus the largest grace', () => {
    expect(closeTime([carMotion, zoneTraffic], 1_000_000)).toBe(1_030_000)
    expect(closeTime([view([tumbling('5m')], '2m')], 0)).toBe(120_000)
  })

  it('keeps final windows whose last millisecond lies in [from, to)', () => {
    const from = 600_000
    const to = 1_200_000
    expect(inBackfillRange({ final: true, windowEnd: from }, from, to)).toBe(false)
    expect(inBackfillRange({ final: true, windowEnd: from + 1 }, from, to)).toBe(true)
    expect(inBackfillRange({ final: true, windowEnd: to }, from, to)).toBe(true)
    expect(inBackfillRange({ final: true, windowEnd: to + 1 }, from, to)).toBe(false)
    expect(inBackfillRange({ final: false, windowEnd: to }, from, to)).toBe(false)
  })

  it('assigns every window to exactly one of two adjacent ranges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer(),
        (a, d, end) => {
          const b = a + d
          const c = b + d
          const record = { final: true, windowEnd: end }
          const inWhole = inBackfillRange(record, a, c)
          const inParts = Number(inBackfillRange(record, a, b)) + Number(inBackfillRange(record, b, c))
          expect(inParts).toBe(Number(inWhole))
        },
      ),
    )
  })

  it('reads from the warm-up offset through the record that closes the range', () => {
    expect(planRange({ partition: 2, warmup: '120', close: '4800', end: '9000' })).toEqual({
      partition: 2,
      start: '120',
      end: '4801',
      limit: '9000',
      closed: true,
    })
  })

  it('reads an unclosed partition to its end, and an exhausted one not at all', () => {
    // No record stamped to + grace yet: read what there is, emit only windows the data closed.
    expect(planRange({ partition: 0, warmup: '10', close: '50', end: '50' })).toEqual({
      partition: 0,
      start: '10',
      end: '50',
      limit: '50',
      closed: false,
    })
    // Nothing stamped after from − warm-up: an empty range.
    const empty = planRange({ partition: 1, warmup: '70', close: '70', end: '70' })
    expect(empty).toMatchObject({ start: '70', end: '70', closed: false })
    expect(rangeSize(empty)).toBe(0)
    expect(rangeSize({ start: '100', end: '4801' })).toBe(4701)
  })
})
