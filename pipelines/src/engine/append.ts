/**
 * `target.push(...items)` without the spread: spreading passes every item as an argument, which overflows the
 * call stack once a watermark closes ~100k windows at once (a million keys, a backfill's final flush).
 */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item)
}
