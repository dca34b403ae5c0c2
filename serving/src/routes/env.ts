import type { Client } from '@freshet/sinks'
import type { Logger } from 'pino'

/** Hono context variables of the serving API. */
export interface ServingEnv {
  Variables: { requestId: string; client: Client; log: Logger }
}
