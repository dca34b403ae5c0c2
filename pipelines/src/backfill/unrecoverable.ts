import { isFreshetError } from '@freshet/feature-store'
import { UnrecoverableError } from 'bullmq'

/**
 * Runs `fn`; a non-retriable Freshet error (unknown view, missing store) becomes BullMQ's "do not retry".
 *
 * @example
 * const views = unrecoverable(() => resolveBackfillViews(refs, catalogue))
 */
export function unrecoverable<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (isFreshetError(err) && !err.retriable) throw new UnrecoverableError(err.message)
    throw err
  }
}
