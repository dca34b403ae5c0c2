import type { CarTelemetry } from '../events/car-telemetry.js'
import { type Car, statusOf } from './car.js'
import type { City } from './city.js'
import type { Rng } from './random.js'

/** About ±3 m of GPS noise, in degrees (a degree of longitude is shorter up north). */
const GPS_NOISE_LAT_DEG = 0.000027
const GPS_NOISE_LON_DEG = 0.000044

/**
 * The telemetry sample a car reports at `ts`: its true state plus sensor noise, rounded to what real devices send
 * (GPS to 1e-6°, speed and heading to 0.1, battery to 0.01 %, odometer to metres).
 */
export function telemetrySample(car: Car, ts: number, city: City, rng: Rng): CarTelemetry {
  const geo = city.plane.toGeo(car.pos)
  const lat = geo.lat + rng.between(-GPS_NOISE_LAT_DEG, GPS_NOISE_LAT_DEG)
  const lon = geo.lon + rng.between(-GPS_NOISE_LON_DEG, GPS_NOISE_LON_DEG)
  const speed = car.speedKmh > 0 ? Math.max(0, car.speedKmh + 0.3 * rng.normal()) : 0
  const heading = car.headingDeg + (car.speedKmh > 0 ? rng.normal() : 0)
  return {
    carId: car.id,
    ts,
    position: { lat: round(lat, 6), lon: round(lon, 6) },
    zoneId: city.zones[car.zoneIndex]!.id,
    speedKmh: round(speed, 1),
    headingDeg: compassDeg(heading),
    batteryPct: round(car.batteryPct, 2),
    status: statusOf(car.task),
    odometerKm: round(car.odometerKm, 3),
  }
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

/** Degrees in [0, 360) to 0.1°; 359.96 must become 0, not 360, which the schema rejects. */
function compassDeg(deg: number): number {
  const h = round(((deg % 360) + 360) % 360, 1)
  return h >= 360 ? 0 : h
}
