import { type ErrorCode, FreshetError, isFreshetError } from '@freshet/feature-store'
import { HTTPException } from 'hono/http-exception'

/**
 * What a client can branch on; each is the problem `type` `urn:freshet:problem:<kind>`. One list for every
 * Freshet HTTP API (offline, backfill admin, ETA serving), so a kind means the same thing wherever it appears.
 */
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
  // Each API names its own store in the title: see OFFLINE_API_PROBLEMS and SERVING_API_PROBLEMS.
  'store-unavailable': { status: 503, title: 'Store unavailable' },
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
 * An error a handler throws to answer with a given problem; the API's `app.onError` turns it into the response
 * through {@link toProblem}. A subclass because the APIs branch on it: an error thrown while labels stream into
 * the offline reader (a body over the limit, a bad CSV line) surfaces from the reader's iterator, and must still
 * answer 413 or 400 rather than 500. Its code is `CONFIG_INVALID`: the request does not fit.
 *
 * @example
 * throw new ProblemError('payload-too-large', 'labels exceed 67108864 bytes')
 * throw new ProblemError(problem('feature-unavailable', detail, { features: ['car_motion:v1:speed_kmh_mean_15m'] }))
 */
export class ProblemError extends FreshetError {
  readonly problem: Problem

  constructor(kind: ProblemKind, detail: string, options?: { cause?: unknown })
  constructor(p: Problem, options?: { cause?: unknown })
  constructor(
    kindOrProblem: ProblemKind | Problem,
    detailOrOptions?: string | { cause?: unknown },
    options: { cause?: unknown } = {},
  ) {
    const p =
      typeof kindOrProblem === 'string' ? problem(kindOrProblem, detailOrOptions as string) : kindOrProblem
    super('CONFIG_INVALID', p.detail, typeof detailOrOptions === 'object' ? detailOrOptions : options)
    this.name = 'ProblemError'
    this.problem = p
  }
}

/**
 * How one API answers a FreshetError that is not a {@link ProblemError}. `shown` codes are about the request
 * itself: the client sees the error's message under that kind. `fixed` codes get a set problem, because their
 * message names data dirs, hosts or SQL (the caller logs the error under the request id). Anything else is a
 * 500 `internal`.
 */
export interface ProblemMap {
  readonly shown?: Readonly<Partial<Record<ErrorCode, ProblemKind>>>
  readonly fixed?: Readonly<Partial<Record<ErrorCode, Readonly<Problem>>>>
}

/**
 * The offline and backfill admin APIs (the sink process): `CONFIG_INVALID` from the offline reader means the
 * request's labels or refs do not fit the store.
 */
export const OFFLINE_API_PROBLEMS: ProblemMap = {
  shown: { CONFIG_INVALID: 'invalid-request' },
  fixed: {
    STORE_UNAVAILABLE: problem(
      'store-unavailable',
      'the offline store is not reachable right now; try again later',
      { title: 'Offline store unavailable' },
    ),
  },
}

/** The ETA serving API: a model refused on reload is the admin's to fix, so its message is shown. */
export const SERVING_API_PROBLEMS: ProblemMap = {
  shown: { MODEL_INVALID: 'model-invalid' },
  fixed: {
    STORE_UNAVAILABLE: problem(
      'store-unavailable',
      'the online feature store is not reachable right now; try again shortly',
      { title: 'Online store unavailable' },
    ),
  },
}

/**
 * Maps anything a handler threw to the problem a client sees: a {@link ProblemError}'s own problem, a
 * FreshetError as `map` says, a Hono HTTPException under 500 as a request problem, anything else a 500
 * `internal` with a generic detail (the caller logs the error under the request id).
 *
 * @example
 * toProblem(new FreshetError('STORE_UNAVAILABLE', 'redis down', { retriable: true }), SERVING_API_PROBLEMS).status // 503
 * toProblem(new FreshetError('CONFIG_INVALID', 'unknown feature car_motion:v1:nope'), OFFLINE_API_PROBLEMS).status // 400
 */
export function toProblem(err: unknown, map: ProblemMap): Problem {
  if (err instanceof ProblemError) return err.problem
  if (isFreshetError(err)) {
    const shown = map.shown?.[err.code]
    if (shown !== undefined) return problem(shown, err.message)
    const fixed = map.fixed?.[err.code]
    if (fixed !== undefined) return { ...fixed }
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
