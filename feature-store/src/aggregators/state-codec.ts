import type { z } from 'zod'
import { FreshetError } from '../errors.js'

/**
 * Validates a checkpointed aggregator state at the restore edge, so a corrupt or foreign snapshot fails
 * loudly with the aggregator's id instead of producing silently wrong features later.
 *
 * @example
 * const n = parseState('count', z.number().int().nonnegative(), json)
 */
export function parseState<T>(aggregatorId: string, schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    throw new FreshetError('INTERNAL', `checkpointed state for aggregator '${aggregatorId}' is malformed`, {
      cause: parsed.error,
    })
  }
  return parsed.data
}
