/**
 * Battery model of the fleet's cars: a 60 kWh pack, rolling resistance plus air drag (so fast driving drains
 * faster per km), and the autonomy computer's constant draw while the car is in service.
 */
const PACK_KWH = 60
const ROLLING_KWH_PER_KM = 0.11
const DRAG_KWH_PER_KM_PER_KMH2 = 0.000028
/** Sensors and the driving computer while in service; an autonomous car's big hidden load. */
const ACTIVE_AUX_KW = 1.5
/** Standby draw while parked or offline. */
const STANDBY_KW = 0.2
/** DC fast charging, tapering off above 80 % like real packs do. */
const FAST_CHARGE_KW = 50
const TAPER_CHARGE_KW = 15
const TAPER_FROM_PCT = 80

/**
 * Battery percentage used to drive `km` at `speedKmh`.
 *
 * @example
 * drivePct(10, 30) // ≈ 2.25 %: ten city km
 */
export function drivePct(km: number, speedKmh: number): number {
  const kwhPerKm = ROLLING_KWH_PER_KM + DRAG_KWH_PER_KM_PER_KMH2 * speedKmh * speedKmh
  return (km * kwhPerKm * 100) / PACK_KWH
}

/** Battery percentage the car's own systems use over `hours` (active = in service, not parked). */
export function auxPct(hours: number, active: boolean): number {
  return (hours * (active ? ACTIVE_AUX_KW : STANDBY_KW) * 100) / PACK_KWH
}

/** New battery percentage after charging for `hours` from `pct` (never above 100). */
export function chargePct(pct: number, hours: number): number {
  let level = pct
  let left = hours
  if (level < TAPER_FROM_PCT) {
    const fastPctPerHour = (FAST_CHARGE_KW * 100) / PACK_KWH
    const toTaper = (TAPER_FROM_PCT - level) / fastPctPerHour
    if (left <= toTaper) return level + left * fastPctPerHour
    level = TAPER_FROM_PCT
    left -= toTaper
  }
  return Math.min(100, level + (left * TAPER_CHARGE_KW * 100) / PACK_KWH)
}

/** Conservative estimate of what a trip of `km` will cost, for the dispatcher's battery check. */
export function estimateTripPct(km: number): number {
  // Roads are ~30 % longer than straight lines; budget for 45 km/h average and an hour-ish of aux draw per 25 km.
  const roadKm = km * 1.4
  return drivePct(roadKm, 45) + auxPct(roadKm / 25, true)
}
