/**
 * Error codes shared by every Freshet package. Callers branch on `code`, never on message text.
 * Declared `as const` so a new code is one line here and exhaustively checkable everywhere.
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  // local services (infra)
  'JAVA_MISSING',
  'MAVEN_MISSING',
  'MAVEN_RESOLVE_FAILED',
  'APT_MISSING',
  'REDIS_INSTALL_FAILED',
  'PORT_IN_USE',
  'KAFKA_FORMAT_FAILED',
  'SERVICE_EXITED',
  'SERVICE_NOT_READY',
  'SERVICE_STOP_FAILED',
  'SERVICE_CONFLICT',
  'TOPICS_FAILED',
  // events and backbone
  'EVENT_UNDECODABLE',
  'EVENT_SCHEMA_INVALID',
  'EVENT_UNKNOWN_SCHEMA',
  'KAFKA_UNAVAILABLE',
  'KAFKA_TOPIC_CONFLICT',
  'STORE_UNAVAILABLE',
  'STORE_QUERY_FAILED',
  // feature store
  'REGISTRY_CONFLICT',
  'VIEW_NOT_REGISTERED',
  'PROMOTION_NEEDS_BACKFILL',
  'PROMOTION_CONFLICT',
  'FEATURE_SCHEMA_MISMATCH',
  // serving
  'MODEL_INVALID',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface FreshetErrorOptions {
  /** True when the same operation may succeed if tried again (broker restarting, store briefly down). */
  retriable?: boolean
  cause?: unknown
}

/**
 * The one base error of Freshet: a stable `code`, whether a retry can help, and the underlying cause.
 *
 * @example
 * throw new FreshetError('STORE_UNAVAILABLE', 'redis did not answer PING', { retriable: true, cause: err })
 */
export class FreshetError extends Error {
  readonly code: ErrorCode
  readonly retriable: boolean

  constructor(code: ErrorCode, message: string, options: FreshetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FreshetError'
    this.code = code
    this.retriable = options.retriable ?? false
  }
}

/** Narrowing helper that survives duplicated module instances (compares the shape, not the prototype). */
export function isFreshetError(err: unknown): err is FreshetError {
  return (
    err instanceof Error &&
    typeof (err as FreshetError).code === 'string' &&
    typeof (err as FreshetError).retriable === 'boolean'
  )
}
