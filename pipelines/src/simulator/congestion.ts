import { type CityTime, hourBump } from './city-clock.js'

/**
 * How much traffic a road class carries over the day, as extra load on top of free flow: speed is
 * `freeFlowKmh / (1 + load)`, so a load of 1.9 at the evening peak means roughly a third of free-flow speed.
 */
export interface CongestionProfile {
  /** Weekday morning rush, peaking at 08:00 (about 07–09). */
  readonly amPeak: number
  /** Weekday evening rush, peaking at 17:30 (about 16–19). */
  readonly pmPeak: number
  /** Weekday daytime traffic, centred on 13:00. */
  readonly midday: number
  /** Weekend shopping/leisure traffic, a broad bump centred on 14:30. */
  readonly weekend: number
  /** Evening/night-life traffic around 22:00, every day (stronger at weekends). */
  readonly evening: number
}

/** Traffic that is there at any hour, so even 04:00 is not perfectly free-flowing. */
const BASE_LOAD = 0.04

/**
 * Extra traffic load for a profile at a city time (0 = empty roads).
 *
 * @example
 * congestionLoad(downtown.congestion, cityTime(t, 0)) // ≈ 2 at 17:30 on a weekday, ≈ 0.05 at 04:00
 */
export function congestionLoad(profile: CongestionProfile, time: CityTime): number {
  const h = time.hour
  if (time.weekend) {
    return BASE_LOAD + profile.weekend * hourBump(h, 14.5, 3.5) + 1.5 * profile.evening * hourBump(h, 22.5, 2)
  }
  return (
    BASE_LOAD +
    profile.amPeak * hourBump(h, 8, 0.9) +
    profile.pmPeak * hourBump(h, 17.5, 1.2) +
    profile.midday * hourBump(h, 13, 2.5) +
    profile.evening * hourBump(h, 22, 1.5)
  )
}

/**
 * Fraction of free-flow speed that traffic allows, in (0, 1].
 *
 * @example
 * const kmh = zone.freeFlowKmh * congestionFactor(zone.congestion, cityTime(t, 0))
 */
export function congestionFactor(profile: CongestionProfile, time: CityTime): number {
  return 1 / (1 + congestionLoad(profile, time))
}
