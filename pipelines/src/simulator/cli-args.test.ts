import { describe, expect, it } from 'vitest'
import { parseCliArgs, parseDurationMs, parseTimeMs } from './cli-args.js'
import { loadConfig } from './config.js'

describe('parseDurationMs', () => {
  it('reads single and compound durations', () => {
    expect(parseDurationMs('500ms')).toBe(500)
    expect(parseDurationMs('90s')).toBe(90_000)
    expect(parseDurationMs('1h30m')).toBe(5_400_000)
    expect(parseDurationMs('7d')).toBe(604_800_000)
  })

  it('rejects anything else with CONFIG_INVALID', () => {
    for (const bad of ['', '10', '1x', '1hh', 'h1']) {
      expect(() => parseDurationMs(bad), bad).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    }
  })
})

describe('parseTimeMs', () => {
  const now = Date.UTC(2025, 0, 8)
  it('reads now, a duration ago and ISO times', () => {
    expect(parseTimeMs('now', now)).toBe(now)
    expect(parseTimeMs('-7d', now)).toBe(Date.UTC(2025, 0, 1))
    expect(parseTimeMs('2025-01-06T07:00:00Z', now)).toBe(Date.UTC(2025, 0, 6, 7))
  })
})

describe('parseCliArgs', () => {
  it('parses the documented flags', () => {
    const args = parseCliArgs([
      '--mode',
      'realtime',
      '--cars',
      '10',
      '--brokers',
      'a:1, b:2',
      '--duration',
      '1h',
    ])
    expect(args).toMatchObject({
      mode: 'realtime',
      cars: 10,
      seed: 42,
      brokers: ['a:1', 'b:2'],
      duration: '1h',
    })
  })

  it('reads the telemetry dropout rate, 0 included (no dropouts)', () => {
    expect(parseCliArgs(['--dropouts-per-car-hour', '0']).dropoutsPerCarHour).toBe(0)
    expect(parseCliArgs(['--dropouts-per-car-hour', '2.5']).dropoutsPerCarHour).toBe(2.5)
    expect(parseCliArgs([]).dropoutsPerCarHour).toBeUndefined()
    expect(() => parseCliArgs(['--dropouts-per-car-hour', 'often'])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })

  it('takes a negative relative time after --from', () => {
    expect(parseCliArgs(['--from', '-7d', '--seed', '-3'])).toMatchObject({ from: '-7d', seed: -3 })
  })

  it('rejects unknown flags and modes with CONFIG_INVALID', () => {
    expect(() => parseCliArgs(['--colour'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    expect(() => parseCliArgs(['--mode', 'fast'])).toThrow(/historical or realtime/)
  })
})

describe('loadConfig', () => {
  it('defaults the brokers to the local Kafka', () => {
    expect(loadConfig({}).KAFKA_BROKERS).toEqual(['127.0.0.1:19092'])
  })

  it('fails fast on a malformed broker list', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'localhost' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})
