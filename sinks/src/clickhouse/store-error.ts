import { FreshetError, isFreshetError } from '@freshet/feature-store'

/**
 * ClickHouse error codes worth a retry: overload, timeouts, network trouble, an insert whose outcome is unknown.
 * Everything else the server answers (bad SQL, unknown table, type mismatch) fails the same way again.
 */
const RETRIABLE_CODES = new Set(['159', '202', '209', '210', '252', '319', '425'])

/**
 * Wraps what a ClickHouse call threw as a {@link FreshetError}: `STORE_QUERY_FAILED` when the server (or chDB)
 * answered with an error, `STORE_UNAVAILABLE` (retriable) when it could not be reached. FreshetErrors pass through.
 *
 * @example
 * try { await client.insert(params) } catch (err) { throw storeError(err, 'insert into features_car_motion_v1') }
 */
export function storeError(cause: unknown, doing: string): FreshetError {
  if (isFreshetError(cause)) return cause
  const err = cause as { code?: unknown; type?: unknown; message?: unknown }
  const message = typeof err?.message === 'string' ? err.message : String(cause)
  // clickhouse-js's ClickHouseError (possibly from chdb's own copy of the package, hence the shape test).
  if (typeof err?.code === 'string' && typeof err.type === 'string' && /^\d+$/.test(err.code)) {
    return new FreshetError('STORE_QUERY_FAILED', `ClickHouse failed to ${doing}: ${message}`, {
      cause,
      retriable: RETRIABLE_CODES.has(err.code),
    })
  }
  return new FreshetError('STORE_UNAVAILABLE', `cannot reach ClickHouse to ${doing}: ${message}`, {
    cause,
    retriable: true,
  })
}
