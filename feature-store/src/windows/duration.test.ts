import { describe, expect, it } from 'vitest'
import { FreshetError } from '../errors.js'
import { formatDuration, parseDuration } from './duration.js'

describe('parseDuration', () => {
  it('parses unit suffixes and compound durations to ms', () => {
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('15m')).toBe(900_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1d')).toBe(86_400_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration(60_000)).toBe(60_000)
  })

  it.each([
    '',
    '15',
    'm',
    '1.5h',
    '-5m',
    '+5m',
    '5 m',
    ' 5m',
    '5M',
    '5min',
    '5w',
    '0s',
    '1h 30m',
    '9999999999999999d',
  ])('rejects %j with a CONFIG_INVALID error naming the input', (input) => {
    expect(() => parseDuration(input, 'grace')).toThrow(FreshetError)
    expect(() => parseDuration(input, 'grace')).toThrow(/grace/)
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow(/positive integer number of ms/)
  })
})

describe('formatDuration', () => {
  it('spells a duration with the largest exact unit, so equal durations label alike', () => {
    expect(formatDuration(parseDuration('60m'))).toBe('1h')
    expect(formatDuration(5_400_000)).toBe('90m')
    expect(formatDuration(1_500)).toBe('1500ms')
    expect(formatDuration(86_400_000 * 2)).toBe('2d')
  })
})
