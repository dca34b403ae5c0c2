import { FreshetError, isFreshetError } from '@freshet/feature-store'
import { HTTPException } from 'hono/http-exception'

/** What a client can branch on; each becomes the problem `type` `urn:freshet:problem:<kind>`. */
export type ProblemKind =
  | 'invalid-request'
  | 'unauthorized'
  | 'not-found'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'store-unavailable'
  | 'internal'

/** An RFC 9457 problem details object, plus the request id to quote when reporting it. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  requestId?: string
}

const KINDS: Record<ProblemKind, { status: number; title: string }> = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'not-found': { status: 404, title: 'Not found' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'store-unavailable': { status: 503, title: 'Offline store unavailable' },
  internal: { status: 500, title: 'Internal error' },
}

/**
 * A request the API refuses with a specific HTTP status. A subclass because the API branches on it: an error
 * thrown while labels stream into the reader (a body over the limit, a bad CSV line) surfaces from the reader's
 * iterator, and must still answer 413 or 400 rather than 500.
 *
 * @example
 * throw new ProblemError('payload-too-large', 'labels exceed 67108864 bytes')
 */
export class ProblemError extends FreshetError {
  readonly kind: ProblemKind

  constructor(kind: ProblemKind, detail: string, options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', detail, options)
    this.name = 'ProblemError'
    this.kind = kind
  }
}

/**
 * Builds the problem of a kind.
 *
 * @example
 * problem('unauthorized', 'the API key is not valid') // { type: 'urn:freshet:problem:unauthorized', status: 401, … }
 */
export function problem(kind: ProblemKind, detail: string): Problem {
  return { type: `urn:freshet:problem:${kind}`, ...KINDS[kind], detail }
}

/**
 * Maps anything a handler threw to the problem a client sees. Only errors about the request itself carry their
 * message to the client; store and internal failures get a generic detail (their messages name data dirs,
 * hosts and SQL), and the caller logs the error under the request id.
 *
 * @example
 * toProblem(new FreshetError('CONFIG_INVALID', 'unknown feature car_motion:v1:nope')).status // 400
 */
export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError) return problem(err.kind, err.message)
  if (isFreshetError(err)) {
    // CONFIG_INVALID from the reader means the request's labels or refs do not fit the store.
    if (err.code === 'CONFIG_INVALID') return problem('invalid-request', err.message)
    if (err.code === 'STORE_UNAVAILABLE') {
      return problem('store-unavailable', 'the offline store is not reachable right now; try again later')
    }
  }
  if (err instanceof HTTPException && err.status < 500) {
    return { ...problem('invalid-request', err.message || 'invalid request'), status: err.status }
  }
  return problem('internal', 'the server failed to answer this request')
}

/**
 * The `application/problem+json` response of a problem.
 *
 * @example
 * return problemResponse(problem('not-found', 'no route GET /nope'), requestId)
 */
export function problemResponse(
  p: Problem,
  requestId?: string,
  headers: Record<string, string> = {},
): Response {
  const body: Problem = requestId === undefined ? p : { ...p, requestId }
  const ids: Record<string, string> = requestId === undefined ? {} : { 'x-request-id': requestId }
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...ids, ...headers },
  })
}
