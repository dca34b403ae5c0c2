import { FreshetError } from '@freshet/feature-store'

/**
 * Table and column names cannot be query parameters in DDL, so every identifier Freshet splices into SQL
 * passes this check first: lowercase snake_case (what view names, window labels and feature names already
 * are) or a caller's label column (letters, digits, `_`). Nothing else, so backtick quoting cannot be escaped.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$|^[a-z0-9_]+$/

/**
 * Quotes a validated identifier for ClickHouse SQL.
 *
 * @example
 * `SELECT ${quoteIdentifier('speed_kmh_mean_5m')} FROM ${quoteIdentifier('features_car_motion_v1')}`
 * // SELECT `speed_kmh_mean_5m` FROM `features_car_motion_v1`
 */
export function quoteIdentifier(name: string): string {
  if (name.length > 200 || !IDENTIFIER.test(name)) {
    throw new FreshetError('CONFIG_INVALID', `not a safe ClickHouse identifier: ${JSON.stringify(name)}`)
  }
  return `\`${name}\``
}
