import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkKeyPrefix,
  decodeFeatureValue,
  encodeFeatureValue,
  encodeWindowState,
  featureKey,
} from './keys.js'

describe('online store key layout', () => {
  it('names one hash per view version and entity, the entity as hash tag', () => {
    expect(featureKey('fs:', 'car_motion', 1, 'car-0001')).toBe('fs:{car-0001}:car_motion:v1')
    expect(featureKey('fs:', 'zone_demand', 2, 'zone-7')).toBe('fs:{zone-7}:zone_demand:v2')
  })

  it('refuses a key prefix with braces, which would steal the hash tag', () => {
    expect(() => checkKeyPrefix('fs:{x}:')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    expect(checkKeyPrefix('fs:')).toBe('fs:')
  })

  it('stores window state in the order the Lua CAS parses it', () => {
    expect(encodeWindowState({ windowStart: 5, windowEnd: 10, eventTime: 9, final: false }, 11)).toBe(
      '5:10:9:0:11',
    )
  })

  it('decodes every stored feature value to the same double, null and event time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
        (eventTime, value) => {
          expect(decodeFeatureValue(encodeFeatureValue(eventTime, value))).toEqual({ eventTime, value })
        },
      ),
    )
  })

  it('treats absent or malformed fields as no value', () => {
    expect(decodeFeatureValue(null)).toBeUndefined()
    expect(decodeFeatureValue('42.5')).toBeUndefined()
    expect(decodeFeatureValue(':42.5')).toBeUndefined()
    expect(decodeFeatureValue('x:42.5')).toBeUndefined()
    expect(decodeFeatureValue('1:abc')).toBeUndefined()
  })
})
