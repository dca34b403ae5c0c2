/** Forwards kafkajs' own log lines (warn and above, as `createKafka` sets) to the process's pino logger. */

import type { LogEntry } from 'kafkajs'
import type { Logger } from 'pino'
import { logLevel } from './kafkajs-interop.js'

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

export function forwardLog(logger: Logger | undefined, { level, log }: LogEntry): void {
  if (logger === undefined) return
  const { message, timestamp: _t, logger: _l, ...rest } = log
  logger[LEVELS[level] ?? 'info']({ kafkajs: rest }, message)
}
