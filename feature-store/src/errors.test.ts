import { describe, expect, it } from 'vitest'
import { FreshetError, isFreshetError } from './errors.js'

describe('FreshetError', () => {
  it('carries code, retriable and cause', () => {
    const cause = new Error('ECONNREFUSED')
    const err = new FreshetError('STORE_UNAVAILABLE', 'redis down', { retriable: true, cause })
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true, cause, message: 'redis down' })
    expect(isFreshetError(err)).toBe(true)
  })

  it('defaults to not retriable and is told apart from plain errors', () => {
    expect(new FreshetError('INTERNAL', 'x').retriable).toBe(false)
    expect(isFreshetError(new Error('x'))).toBe(false)
  })
})
