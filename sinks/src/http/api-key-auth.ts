import { createHash, timingSafeEqual } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import type { MiddlewareHandler } from 'hono'
import { problem, problemResponse } from './problem.js'

const CHALLENGE = { 'www-authenticate': 'Bearer realm="freshet"' }

/**
 * Hono middleware admitting requests that carry one of `apiKeys`, as `Authorization: Bearer <key>` or
 * `x-api-key: <key>`; others get a 401 problem. Keys are compared as SHA-256 digests with `timingSafeEqual`,
 * against every configured key without stopping at a match, so neither the length nor the position of a key
 * shows in response times. Keys are never logged or echoed.
 *
 * @example
 * app.use('/v1/*', apiKeyAuth(['k1-…', 'k2-…'])) // two keys: rotate without downtime
 */
export function apiKeyAuth(
  apiKeys: readonly string[],
): MiddlewareHandler<{ Variables: { requestId: string } }> {
  if (apiKeys.length === 0 || apiKeys.some((k) => k.trim() === '')) {
    // Failing closed: an API with no keys configured must not start, rather than admit everyone or no one.
    throw new FreshetError('CONFIG_INVALID', 'the offline API needs at least one non-empty API key')
  }
  const digests = apiKeys.map(digest)
  return async (c, next) => {
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'))
    if (presented === undefined) {
      return problemResponse(
        problem('unauthorized', "send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"),
        c.get('requestId'),
        CHALLENGE,
      )
    }
    const candidate = digest(presented)
    let match = false
    for (const d of digests) match = timingSafeEqual(d, candidate) || match
    if (!match) {
      return problemResponse(
        problem('unauthorized', 'the API key is not valid'),
        c.get('requestId'),
        CHALLENGE,
      )
    }
    await next()
  }
}

function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
  const key = bearer ?? apiKey?.trim()
  return key === undefined || key === '' ? undefined : key
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}
