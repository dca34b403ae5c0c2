const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** 1970-01-01 was a Thursday; with Sunday = 0 that is day 4. */
const EPOCH_WEEKDAY = 4

/** Wall-clock time in the simulated city: what rush hours, nightlife and demand peaks follow. */
export interface CityTime {
  /** Fractional hour of day in [0, 24), e.g. 17.5 for half past five. */
  hour: number
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number
  weekend: boolean
}

/**
 * Local time of the city for an event time. Plain arithmetic rather than `Date`: it runs once per simulated car
 * per second, and a fixed offset is all a made-up city needs (no daylight saving).
 *
 * @example
 * cityTime(Date.UTC(2025, 0, 6, 8, 30), 0) // { hour: 8.5, weekday: 1, weekend: false }
 */
export function cityTime(timeMs: number, utcOffsetMin: number): CityTime {
  const local = timeMs + utcOffsetMin * 60_000
  const day = Math.floor(local / DAY_MS)
  const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7
  return { hour: (local - day * DAY_MS) / HOUR_MS, weekday, weekend: weekday === 0 || weekday === 6 }
}

/** Gaussian bump centred on `centreHour`, with distance measured around the clock so 23:30 is near 00:30. */
export function hourBump(hour: number, centreHour: number, widthHours: number): number {
  const raw = Math.abs(hour - centreHour)
  const d = Math.min(raw, 24 - raw)
  return Math.exp(-(d * d) / (2 * widthHours * widthHours))
}
