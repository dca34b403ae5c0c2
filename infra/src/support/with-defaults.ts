/**
 * `{ ...defaults, ...options }` where an option explicitly set to `undefined` keeps the default, so
 * callers can pass half-filled config objects through without erasing defaults.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
  return { ...defaults, ...defined } as D & O
}
