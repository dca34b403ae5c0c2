import fc from 'fast-check'

/** Finite doubles over a wide range; magnitudes below 1e-100 become 0 (their products would underflow). */
export const anyDouble = fc
  .double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true })
  .map((x) => (Math.abs(x) < 1e-100 ? 0 : x))

/** A value with an event time; a narrow time range makes timestamp ties common. */
export const timedDouble = fc.record({ ts: fc.integer({ min: 0, max: 50 }), v: anyDouble })

/** Ids from a small pool, so distinct counts see plenty of repeats. */
export const timedId = fc.record({
  ts: fc.integer({ min: 0, max: 50 }),
  v: fc.integer({ min: 0, max: 400 }).map((i) => `id-${i}`),
})
