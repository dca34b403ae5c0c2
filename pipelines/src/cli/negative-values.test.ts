import { describe, expect, it } from 'vitest'
import { joinNegativeValues } from './negative-values.js'

describe('joinNegativeValues', () => {
  it('joins a flag with a value that starts with a dash and a digit', () => {
    expect(joinNegativeValues(['--from', '-2h', '--to', '-30m', '--json'])).toEqual([
      '--from=-2h',
      '--to=-30m',
      '--json',
    ])
  })

  it('leaves flags, joined values and a final flag alone', () => {
    expect(joinNegativeValues(['--json', '-h', '--from=-1d', '--cars', '5', '--to'])).toEqual([
      '--json',
      '-h',
      '--from=-1d',
      '--cars',
      '5',
      '--to',
    ])
  })
})
