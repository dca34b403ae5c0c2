import { describe, expect, it } from 'vitest'
import { type AbsencePatternInput, defineAbsencePattern } from './absence-pattern.js'
import type { Ping } from './testing.js'
import { pingPattern } from './testing.js'

const valid: AbsencePatternInput<Ping> = {
  name: 'ping_gap',
  version: 1,
  entity: 'Pinger',
  description: 'No ping for 30 s from a pinger that said it was on',
  owner: 'test',
  source: pingPattern(1, 2).source,
  key: (e) => e.k,
  eventTime: (e) => e.ts,
  while: (e) => e.on,
  timeout: '30s',
}

describe('defineAbsencePattern', () => {
  it('normalises a definition: ref, durations in ms, snake_case entity, one-hour resolve window by default', () => {
    const p = defineAbsencePattern(valid)
    expect(p).toMatchObject({
      name: 'ping_gap',
      version: 1,
      ref: 'ping_gap:v1',
      entity: 'pinger',
      timeoutMs: 30_000,
      resolveWithinMs: 3_600_000,
    })
    expect(p.context({ k: 'a', ts: 1, on: true, n: 1 })).toEqual({})
    expect(Object.isFrozen(p)).toBe(true)
    expect(defineAbsencePattern({ ...valid, resolveWithin: '2m', timeout: 45_000 })).toMatchObject({
      timeoutMs: 45_000,
      resolveWithinMs: 120_000,
    })
  })

  it('rejects a bad definition with CONFIG_INVALID naming the field', () => {
    const bad: [Partial<AbsencePatternInput<Ping>>, RegExp][] = [
      [{ name: 'Ping-Gap' }, /name must match/],
      [{ version: 0 }, /version must be a positive integer/],
      [{ version: 1.5 }, /version must be a positive integer/],
      [{ entity: ' ' }, /entity must be a non-empty string/],
      [{ description: '' }, /description must be a non-empty string/],
      [{ owner: '' }, /owner must be a non-empty string/],
      [{ source: { topic: '', schema: valid.source.schema } }, /source needs a topic/],
      [{ while: undefined as never }, /while must be a function/],
      [{ key: 'k' as never }, /key must be a function/],
      [{ context: {} as never }, /context must be a function/],
      [{ timeout: '30 s' }, /timeout "30 s" is not a duration/],
      [{ timeout: 0 }, /timeout must be a positive integer/],
      [{ timeout: '1h' }, /resolveWithin \(3600000 ms\) must exceed timeout \(3600000 ms\)/],
      [{ resolveWithin: '10s' }, /resolveWithin \(10000 ms\) must exceed timeout/],
    ]
    for (const [change, message] of bad) {
      const define = () => defineAbsencePattern({ ...valid, ...change })
      expect(define, message.source).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
      expect(define, message.source).toThrow(message)
    }
  })
})
