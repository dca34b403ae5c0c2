import { FreshetError } from '@freshet/feature-store'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import {
  OFFLINE_API_PROBLEMS,
  ProblemError,
  problem,
  problemResponse,
  SERVING_API_PROBLEMS,
  toProblem,
} from './problem.js'

describe('problem', () => {
  it('builds the RFC 9457 members of a kind, with extension members', () => {
    expect(problem('unknown-car', 'no features for car-9999')).toEqual({
      type: 'urn:freshet:problem:unknown-car',
      title: 'Unknown car',
      status: 404,
      detail: 'no features for car-9999',
    })
    expect(problem('feature-unavailable', 'stale', { features: ['a:v1:b'] })).toMatchObject({
      status: 503,
      features: ['a:v1:b'],
    })
  })
})

describe('ProblemError', () => {
  it('is a FreshetError carrying its problem, built from a kind or from a problem', () => {
    const byKind = new ProblemError('payload-too-large', 'labels exceed 4096 bytes')
    expect(byKind).toBeInstanceOf(FreshetError)
    expect(byKind).toMatchObject({
      code: 'CONFIG_INVALID',
      retriable: false,
      message: 'labels exceed 4096 bytes',
    })
    expect(byKind.problem).toEqual(problem('payload-too-large', 'labels exceed 4096 bytes'))
    const p = problem('feature-unavailable', 'refused', { features: ['x'] })
    const cause = new Error('why')
    const byProblem = new ProblemError(p, { cause })
    expect(byProblem.problem).toBe(p)
    expect(byProblem.cause).toBe(cause)
    expect(new ProblemError('invalid-request', 'bad', { cause }).cause).toBe(cause)
  })
})

describe('toProblem', () => {
  const storeDown = new FreshetError('STORE_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:6379', {
    retriable: true,
  })

  it('answers a ProblemError with its own problem whatever the API', () => {
    const err = new ProblemError('not-found', 'no backfill b-1')
    expect(toProblem(err, OFFLINE_API_PROBLEMS)).toEqual(problem('not-found', 'no backfill b-1'))
    expect(toProblem(err, SERVING_API_PROBLEMS)).toEqual(problem('not-found', 'no backfill b-1'))
  })

  it('names the offline store when it is down, shows its request errors, and hides the host', () => {
    expect(toProblem(storeDown, OFFLINE_API_PROBLEMS)).toEqual({
      type: 'urn:freshet:problem:store-unavailable',
      title: 'Offline store unavailable',
      status: 503,
      detail: 'the offline store is not reachable right now; try again later',
    })
    expect(
      toProblem(new FreshetError('CONFIG_INVALID', 'unknown feature a:v1:nope'), OFFLINE_API_PROBLEMS),
    ).toEqual(problem('invalid-request', 'unknown feature a:v1:nope'))
    expect(toProblem(new FreshetError('MODEL_INVALID', 'bad card'), OFFLINE_API_PROBLEMS).status).toBe(500)
  })

  it('names the online store when it is down, shows a refused model, and keeps config errors internal', () => {
    expect(toProblem(storeDown, SERVING_API_PROBLEMS)).toEqual({
      type: 'urn:freshet:problem:store-unavailable',
      title: 'Online store unavailable',
      status: 503,
      detail: 'the online feature store is not reachable right now; try again shortly',
    })
    expect(toProblem(new FreshetError('MODEL_INVALID', 'input x missing'), SERVING_API_PROBLEMS)).toEqual(
      problem('model-invalid', 'input x missing'),
    )
    expect(toProblem(new FreshetError('CONFIG_INVALID', '/etc/secret'), SERVING_API_PROBLEMS)).toEqual(
      problem('internal', 'the server failed to answer this request'),
    )
  })

  it('hands out a copy of a fixed problem, so a caller cannot alter the next answer', () => {
    const first = toProblem(storeDown, SERVING_API_PROBLEMS)
    first.detail = 'changed'
    expect(toProblem(storeDown, SERVING_API_PROBLEMS).detail).not.toBe('changed')
  })

  it('maps HTTP exceptions under 500 to request problems with their status', () => {
    expect(toProblem(new HTTPException(400, { message: 'Malformed JSON' }), SERVING_API_PROBLEMS)).toEqual(
      problem('invalid-request', 'Malformed JSON'),
    )
    expect(toProblem(new HTTPException(413), OFFLINE_API_PROBLEMS)).toEqual(
      problem('payload-too-large', 'Payload too large'),
    )
    expect(toProblem(new HTTPException(415), SERVING_API_PROBLEMS).type).toBe(
      'urn:freshet:problem:unsupported-media-type',
    )
    expect(toProblem(new HTTPException(409, { message: 'busy' }), SERVING_API_PROBLEMS)).toMatchObject({
      type: 'urn:freshet:problem:invalid-request',
      status: 409,
    })
  })

  it('answers anything else with a 500 that leaks nothing', () => {
    for (const err of [
      new Error('SELECT * FROM secret'),
      new HTTPException(502, { message: 'upstream' }),
      'x',
    ]) {
      expect(toProblem(err, OFFLINE_API_PROBLEMS)).toEqual(
        problem('internal', 'the server failed to answer this request'),
      )
    }
  })
})

describe('problemResponse', () => {
  it('is application/problem+json, uncached, carrying the request id in the body and a header', async () => {
    const res = problemResponse(problem('rate-limited', 'slow down'), 'req-9', { 'retry-after': '60' })
    expect(res.status).toBe(429)
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'x-request-id': 'req-9',
      'retry-after': '60',
    })
    expect(await res.json()).toEqual({ ...problem('rate-limited', 'slow down'), requestId: 'req-9' })
    expect(problemResponse(problem('internal', 'x')).headers.get('x-request-id')).toBeNull()
  })
})
