import { type Logger, pino } from 'pino'

export type { Logger } from 'pino'

/** The default for every `logger` option: libraries stay quiet unless the caller hands them a logger. */
export const silentLogger: Logger = pino({ level: 'silent' })
