import { FreshetError } from '@freshet/feature-store'

/**
 * Layout of the online store in Redis: one hash per (view version, entity).
 *
 * ```
 * fs:{car-0001}:car_motion:v1          <prefix>{<entity>}:<view>:v<version>
 *   w:5m                 -> 1764000600000:1764000900000:1764000900000:1:1764000901234
 *                           windowStart:windowEnd:eventTime:final(0|1):writtenAt, what the CAS compares
 *   w:15m                -> …
 *   f:speed_kmh_mean_5m  -> 1764000900000:42.5      eventTime:value ('' value = null)
 *   f:speed_kmh_mean_15m -> …
 * ```
 *
 * Why this shape:
 * - The entity is the hash tag, so all views of an entity share a Redis Cluster slot (a read of several views
 *   for one car stays on one node) while entities spread across slots.
 * - Freshness is per window: each window's record carries only that window's features, so a 5m record must not
 *   be refused because the 15m window is further ahead.
 * - Each feature field carries its own event time, so a read is a plain HMGET (no script, no second lookup of
 *   the window the feature belongs to).
 * - One hash per view version keeps v1 and v2 of a view apart and lets each key expire on its own view's ttl.
 */

/** Default key prefix. */
export const DEFAULT_KEY_PREFIX = 'fs:'

/**
 * The hash holding one view version of one entity.
 *
 * @example
 * featureKey('fs:', 'car_motion', 1, 'car-0001') // 'fs:{car-0001}:car_motion:v1'
 */
export function featureKey(prefix: string, view: string, version: number, entity: string): string {
  return `${prefix}{${entity}}:${view}:v${version}`
}

/**
 * Checks a key prefix: a brace in it would become the hash tag instead of the entity.
 *
 * @example
 * checkKeyPrefix('fs:') // 'fs:'
 */
export function checkKeyPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) {
    throw new FreshetError('CONFIG_INVALID', `redis key prefix '${prefix}' must not contain '{' or '}'`)
  }
  return prefix
}

/** `w:<window>`: the freshness of one window. */
export function windowField(window: string): string {
  return `w:${window}`
}

/** `f:<feature>`: one feature's value and event time. */
export function featureField(feature: string): string {
  return `f:${feature}`
}

/**
 * The freshness of a window as stored (the Lua CAS parses fields 2–4).
 *
 * @example
 * encodeWindowState({ windowStart: 0, windowEnd: 300_000, eventTime: 300_000, final: true }, 1) // '0:300000:300000:1:1'
 */
export function encodeWindowState(
  record: { windowStart: number; windowEnd: number; eventTime: number; final: boolean },
  writtenAt: number,
): string {
  return `${record.windowStart}:${record.windowEnd}:${record.eventTime}:${record.final ? 1 : 0}:${writtenAt}`
}

/**
 * A feature value as stored: event time, then the value (`String` of a double parses back to the same double).
 *
 * @example
 * encodeFeatureValue(1_764_000_900_000, 42.5) // '1764000900000:42.5'
 */
export function encodeFeatureValue(eventTime: number, value: number | null): string {
  // String(-0) is '0'; keep the sign so a read returns exactly what the engine computed.
  return `${eventTime}:${value === null ? '' : Object.is(value, -0) ? '-0' : String(value)}`
}

/**
 * Parses {@link encodeFeatureValue}'s output; undefined when the field is absent or not in that form.
 *
 * @example
 * decodeFeatureValue('1764000900000:') // { eventTime: 1764000900000, value: null }
 */
export function decodeFeatureValue(
  stored: string | null | undefined,
): { eventTime: number; value: number | null } | undefined {
  if (stored === null || stored === undefined) return undefined
  const colon = stored.indexOf(':')
  if (colon <= 0) return undefined
  const eventTime = Number(stored.slice(0, colon))
  const raw = stored.slice(colon + 1)
  const value = raw === '' ? null : Number(raw)
  if (!Number.isFinite(eventTime) || Number.isNaN(value)) return undefined
  return { eventTime, value }
}
