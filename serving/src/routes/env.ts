import type { Logger } from 'pino'
import type { Client } from '../http/api-keys.js'

/** Hono context variables of the serving API. */
export interface ServingEnv {
  Variables: { requestId: string; client: Client; log: Logger }
}
