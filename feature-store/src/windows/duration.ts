import { FreshetError } from '../errors.js'

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
type Unit = keyof typeof UNIT_MS

// Largest unit first, so formatting picks the shortest exact spelling.
const UNITS_DESC: readonly Unit[] = ['d', 'h', 'm', 's', 'ms']

// One or more <integer><unit> parts, largest unit first by convention but not required: '1h30m'.
const PART = /(\d+)(ms|s|m|h|d)/y
const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/

/** A duration as written in definitions: '30s', '15m', '1h', '1d', '1h30m', or a number of milliseconds. */
export type Duration = string | number

/**
 * Parses a duration at the definition edge into milliseconds. Accepts integer parts with units
 * ms, s, m, h, d ('15m', '1h30m') or a positive integer number of ms. Rejects anything else (empty,
 * signs, decimals, spaces, unknown units, zero) with a `FreshetError` CONFIG_INVALID naming the input.
 *
 * @example
 * parseDuration('15m') // 900_000
 * parseDuration('1h30m') // 5_400_000
 * parseDuration('1.5h') // throws FreshetError CONFIG_INVALID
 */
export function parseDuration(input: Duration, what = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input > 0) return input
    throw new FreshetError('CONFIG_INVALID', `${what} must be a positive integer number of ms, got ${input}`)
  }
  if (typeof input !== 'string' || !WHOLE.test(input)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `${what} ${JSON.stringify(input)} is not a duration: use integer parts with ms, s, m, h or d, e.g. '30s', '15m', '1h30m'`,
    )
  }
  let ms = 0
  PART.lastIndex = 0
  for (let match = PART.exec(input); match !== null; match = PART.exec(input)) {
    ms += Number(match[1]) * UNIT_MS[match[2] as Unit]
  }
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new FreshetError('CONFIG_INVALID', `${what} ${JSON.stringify(input)} must be positive and finite`)
  }
  return ms
}

/**
 * Shortest exact spelling of a duration in ms, used for stable feature-name labels:
 * 3_600_000 → '1h', 5_400_000 → '90m', 1_500 → '1500ms'. Equal durations always format the same.
 *
 * @example
 * formatDuration(parseDuration('60m')) // '1h'
 */
export function formatDuration(ms: number): string {
  for (const unit of UNITS_DESC) {
    const size = UNIT_MS[unit]
    if (ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
