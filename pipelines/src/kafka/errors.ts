/** Turns kafkajs failures into FreshetErrors that keep the client's own retriable verdict. */

import { FreshetError } from '@freshet/feature-store'

export async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    const retriable = (cause as { retriable?: boolean }).retriable ?? true
    throw new FreshetError('KAFKA_UNAVAILABLE', `kafka ${what} failed: ${(cause as Error).message}`, {
      retriable,
      cause,
    })
  }
}
