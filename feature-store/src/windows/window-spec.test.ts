import { describe, expect, it } from 'vitest'
import { FreshetError } from '../errors.js'
import { assignWindows, hopping, session, sliding, tumbling } from './window-spec.js'

describe('window specs', () => {
  it('parse durations and generate stable labels', () => {
    expect(tumbling('1h')).toEqual({ kind: 'tumbling', sizeMs: 3_600_000, label: '1h' })
    expect(tumbling('60m').label).toBe('1h')
    expect(hopping('15m', '1m')).toEqual({ kind: 'hopping', sizeMs: 900_000, slideMs: 60_000, label: '15m' })
    expect(sliding('10m')).toEqual({ kind: 'sliding', sizeMs: 600_000, label: '10m' })
    expect(session('30m')).toEqual({ kind: 'session', gapMs: 1_800_000, label: 'session30m' })
    expect(tumbling('1h', { label: 'hourly' }).label).toBe('hourly')
  })

  it('reject a hop that does not divide the size and labels unfit for column names', () => {
    expect(() => hopping('10m', '3m')).toThrow(/multiple of its slide/)
    expect(() => hopping('1m', '2m')).toThrow(FreshetError)
    expect(() => tumbling('1h', { label: 'Last Hour' })).toThrow(/label/)
  })
})

describe('assignWindows', () => {
  it('puts an event exactly at a tumbling window end into the next window', () => {
    expect(assignWindows(tumbling('1m'), 59_999)).toEqual([{ start: 0, end: 60_000 }])
    expect(assignWindows(tumbling('1m'), 60_000)).toEqual([{ start: 60_000, end: 120_000 }])
    expect(assignWindows(tumbling('1m'), -1)).toEqual([{ start: -60_000, end: 0 }])
  })

  it('puts every event in size/slide hopping windows, oldest first, each containing it', () => {
    const spec = hopping('15m', '1m')
    for (const ts of [0, 1, 59_999, 60_000, 899_999, 1_234_567_890, -7]) {
      const windows = assignWindows(spec, ts)
      expect(windows).toHaveLength(15)
      for (const w of windows) {
        expect(w.start).toBeLessThanOrEqual(ts)
        expect(ts).toBeLessThan(w.end)
        expect(Math.abs(w.start % 60_000)).toBe(0)
      }
      expect(windows.map((w) => w.start)).toEqual([...windows.map((w) => w.start)].sort((a, b) => a - b))
    }
    expect(assignWindows(hopping('3m', '1m'), 150_000)).toEqual([
      { start: 0, end: 180_000 },
      { start: 60_000, end: 240_000 },
      { start: 120_000, end: 300_000 },
    ])
  })

  it('rejects fractional or non-finite event times', () => {
    expect(() => assignWindows(tumbling('1m'), 1.5)).toThrow(/integer epoch-ms/)
    expect(() => assignWindows(tumbling('1m'), Number.NaN)).toThrow(FreshetError)
  })
})
