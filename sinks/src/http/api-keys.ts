import { createHash, timingSafeEqual } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import type { MiddlewareHandler } from 'hono'
import { problem, problemResponse } from './problem.js'

/**
 * What a scoped key may do on the ETA serving API: `predict` (ETAs, features, model info) and `admin` (model
 * reload). The sink's APIs take plain keys instead: each of them is one scope, with its own key list.
 */
export const SCOPES = ['predict', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

export interface ApiKey {
  key: string
  scopes: readonly Scope[]
}

/** The caller a request was authenticated as: a key id safe to log (a digest prefix, never the key). */
export interface Client {
  id: string
  scopes: ReadonlySet<Scope>
}

export interface AuthEnv {
  Variables: { requestId: string; client: Client }
}

export interface ApiKeyAuthOptions {
  /** Names the API in the error when it has no keys. Default `API`. */
  api?: string
  /** The realm of the `www-authenticate` challenge on a 401. Default `freshet`. */
  realm?: string
}

/**
 * Parses a scoped key list such as `SERVING_API_KEYS`: comma-separated `<key>:<scope>[+<scope>]`. Fails with
 * `CONFIG_INVALID` without echoing any key.
 *
 * @example
 * parseApiKeys('dispatch-3f9c…:predict,ops-81aa…:predict+admin')
 * // [{ key: 'dispatch-3f9c…', scopes: ['predict'] }, { key: 'ops-81aa…', scopes: ['predict', 'admin'] }]
 */
export function parseApiKeys(spec: string): ApiKey[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return entries.map((entry, i) => {
    const colon = entry.lastIndexOf(':')
    const key = colon < 0 ? '' : entry.slice(0, colon)
    const scopes = colon < 0 ? [] : entry.slice(colon + 1).split('+')
    if (key.length < 16 || /\s/.test(key)) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `API key #${i + 1} must be at least 16 characters, no spaces, followed by :<scopes>`,
      )
    }
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s))
    if (scopes.length === 0 || unknown.length > 0) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `API key #${i + 1}: scopes must be ${SCOPES.join(' and/or ')} joined by '+', e.g. <key>:predict+admin`,
      )
    }
    return { key, scopes: scopes as Scope[] }
  })
}

/**
 * Hono middleware admitting requests that carry one of `keys` as `Authorization: Bearer <key>` or
 * `x-api-key: <key>` (401 problem with a Bearer challenge otherwise) and setting `client`. A plain string is a
 * key without scopes: it passes this check and no {@link requireScope}. Keys are compared as SHA-256 digests
 * with `timingSafeEqual` against every key, without stopping at a match, so timing shows neither length nor
 * position. Keys are never logged or echoed.
 *
 * @example
 * app.use('/v1/*', apiKeyAuth(parseApiKeys(env.SERVING_API_KEYS), { api: 'serving API' }))
 * app.post('/v1/admin/model/reload', requireScope('admin'), handler)
 * app.use('/v1/*', apiKeyAuth(['k1-…', 'k2-…'], { api: 'offline API' })) // two keys: rotate without downtime
 */
export function apiKeyAuth(
  keys: readonly (ApiKey | string)[],
  options: ApiKeyAuthOptions = {},
): MiddlewareHandler<AuthEnv> {
  const entries = keys.map((k) => (typeof k === 'string' ? { key: k, scopes: [] } : k))
  if (entries.length === 0 || entries.some((k) => k.key.trim() === '')) {
    // Failing closed: an API with no keys must not start, rather than admit everyone or no one.
    throw new FreshetError(
      'CONFIG_INVALID',
      `the ${options.api ?? 'API'} needs at least one non-empty API key`,
    )
  }
  const challenge = { 'www-authenticate': `Bearer realm="${options.realm ?? 'freshet'}"` }
  const known = entries.map((k) => {
    const d = digest(k.key)
    return { digest: d, client: { id: `key-${d.subarray(0, 4).toString('hex')}`, scopes: new Set(k.scopes) } }
  })
  return async (c, next) => {
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'))
    if (presented === undefined) {
      return problemResponse(
        problem('unauthorized', "send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"),
        c.get('requestId'),
        challenge,
      )
    }
    const candidate = digest(presented)
    let client: Client | undefined
    for (const k of known) {
      if (timingSafeEqual(k.digest, candidate)) client ??= k.client
    }
    if (client === undefined) {
      return problemResponse(
        problem('unauthorized', 'the API key is not valid'),
        c.get('requestId'),
        challenge,
      )
    }
    c.set('client', client)
    await next()
  }
}

/**
 * Admits only clients whose key has `scope` (403 problem otherwise). Runs after {@link apiKeyAuth}.
 *
 * @example
 * app.post('/v1/admin/model/reload', requireScope('admin'), handler)
 */
export function requireScope(scope: Scope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!c.get('client')?.scopes.has(scope)) {
      return problemResponse(
        problem('forbidden', `this API key lacks the '${scope}' scope`),
        c.get('requestId'),
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
