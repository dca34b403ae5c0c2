import { type DestinationStream, type Logger, pino } from 'pino'

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}
const OMIT = new Set(['level', 'time', 'msg'])

/**
 * The CLI's pino logger, writing to stderr so stdout stays the command's result. `json` keeps pino's
 * structured lines (for tooling); otherwise each entry becomes one short human line.
 */
export function createCliLogger(level: string, json: boolean): Logger {
  // No pid/hostname base fields: the CLI's own pid is noise, and services log the pid they manage.
  return pino({ level, base: undefined }, json ? pino.destination({ dest: 2, sync: true }) : humanStderr())
}

function humanStderr(): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>
      const level = LEVEL_NAMES[entry.level as number] ?? 'log'
      const fields = Object.entries(entry)
        .filter(([key]) => !OMIT.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      const time = new Date(entry.time as number).toISOString().slice(11, 23)
      const text = `${time} ${level.padEnd(5)} ${String(entry.msg ?? '')} ${fields.join(' ')}`
      process.stderr.write(`${text.trimEnd()}\n`)
    },
  }
}
