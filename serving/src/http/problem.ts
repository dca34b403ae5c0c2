import { isFreshetError } from '@freshet/feature-store'
import { HTTPException } from 'hono/http-exception'

/** What a client can branch on; each is the problem `type` `urn:freshet:problem:<kind>`. */
export type ProblemKind =
  | 'invalid-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'unknown-car'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'feature-unavailable'
  | 'store-unavailable'
  | 'model-invalid'
  | 'internal'

/** An RFC 9457 problem details object, with the request id of the log lines and optional extension members. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  requestId?: string
  [extension: string]: unknown
}

const KINDS: Record<ProblemKind, { status: number; title: string }> = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-car': { status: 404, title: 'Unknown car' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'feature-unavailable': { status: 503, title: 'Features unavailable' },
  'store-unavailable': { status: 503, title: 'Online store unavailable' },
  'model-invalid': { status: 422, title: 'Model refused' },
  internal: { status: 500, title: 'Internal error' },
}

/**
 * Builds the problem of a kind, with optional extension members (RFC 9457 §3.2).
 *
 * @example
 * problem('unknown-car', 'the online store has no features for car-9999') // { status: 404, … }
 */
export function problem(
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return { type: `urn:freshet:problem:${kind}`, ...KINDS[kind], detail, ...extensions }
}

/**
 * An error a handler throws to answer with a given problem (one `app.onError` turns it into the response).
 *
 * @example
 * throw new ProblemError(problem('unknown-car', `no features for ${carId}`))
 */
export class ProblemError extends Error {
  readonly problem: Problem

  constructor(p: Problem) {
    super(p.detail)
    this.name = 'ProblemError'
    this.problem = p
  }
}

/**
 * Maps anything a handler threw to the problem a client sees. Only errors about the request itself carry their
 * message; store and internal failures get a generic detail (their messages name hosts), and the caller logs
 * the error under the request id.
 *
 * @example
 * toProblem(new FreshetError('STORE_UNAVAILABLE', 'redis down', { retriable: true })).status // 503
 */
export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError) return err.problem
  if (isFreshetError(err)) {
    if (err.code === 'STORE_UNAVAILABLE') {
      return problem(
        'store-unavailable',
        'the online feature store is not reachable right now; try again shortly',
      )
    }
    if (err.code === 'MODEL_INVALID') return problem('model-invalid', err.message)
  }
  if (err instanceof HTTPException && err.status < 500) {
    const kind: ProblemKind =
      err.status === 413
        ? 'payload-too-large'
        : err.status === 415
          ? 'unsupported-media-type'
          : 'invalid-request'
    return { ...problem(kind, err.message || KINDS[kind].title), status: err.status }
  }
  return problem('internal', 'the server failed to answer this request')
}

/**
 * The `application/problem+json` response of a problem.
 *
 * @example
 * return problemResponse(problem('not-found', 'no route GET /nope'), c.get('requestId'))
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
