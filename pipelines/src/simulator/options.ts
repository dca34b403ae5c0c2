import { FreshetError } from '@freshet/feature-store'
import { z } from 'zod'
import { epochMs, type GeoPoint, geoPoint, zoneId } from '../events/geo.js'
import { CITY_CENTRE, CITY_ZONES, type CityZone } from './city.js'

/**
 * Everything that shapes a simulated run. Same options (including `seed`) → byte-identical events.
 *
 * @example
 * const options: SimulatorOptions = { seed: 7, cars: 20, startMs: Date.UTC(2025, 0, 6), durationMs: 3_600_000 }
 */
export interface SimulatorOptions {
  /** Event time of the first simulated instant (epoch ms). Required: the simulator never reads the clock. */
  startMs: number
  /** How much time to simulate; only `simulate()` and the runner use it. Default: unbounded. */
  durationMs?: number
  /** PRNG seed (integer). Default 42. */
  seed?: number
  /** Fleet size; cars are `car-0001` … Default 50. */
  cars?: number
  /** Telemetry period per car. Default 1000 ms. */
  telemetryIntervalMs?: number
  /** Each period varies by up to ± this much (capped at a quarter of the period). Default 50 ms. */
  telemetryJitterMs?: number
  /** Mean ride requests per car per hour over a week; rush hours get about twice that. Default 1.2. */
  ridesPerCarHour?: number
  /** Size of the rider population, so riders come back (`rider-000017`). Default 40 per car. */
  riders?: number
  /** City zones. Default {@link CITY_ZONES}. At least one must have a depot. */
  zones?: readonly CityZone[]
  /** Centre the zones are laid out around, for the local plane. Default {@link CITY_CENTRE}. */
  cityCentre?: GeoPoint
  /**
   * Minutes east of UTC of the city clock (rush hours, demand). Default 0: the city keeps UTC, so hour-of-day
   * features computed from event times line up with its rush hours without a time-zone table.
   */
  utcOffsetMin?: number
  /** Traffic incidents per zone per day (each slows one zone by 20–55 % for 20–75 min). Default 1.5. */
  incidentsPerZoneDay?: number
  /** How often an idle car goes offline (maintenance, sensor cleaning) per car-day. Default 0.3. */
  offlinePerCarDay?: number
  /**
   * Telemetry dropouts (tunnels, dead zones: 20–120 s with no samples from the car) per hour a car spends on the
   * road. Default 3, so a 20-minute run of ~20 busy cars shows several on-trip gaps long enough to alert on;
   * 0 disables them. Drawn from their own random stream: other behaviour is the same with or without them.
   */
  telemetryDropoutsPerCarHour?: number
  /** Faults per 24 h spent driving to pickups; a fault cancels the ride (`car_fault`). Default 0.5. */
  faultsPerPickupDay?: number
  /** Below this an idle car goes to a depot to charge. Default 15. */
  lowBatteryPct?: number
  /** Below this a car drives in eco mode, about 15 % slower. Default 25. */
  ecoModeBelowPct?: number
  /** Speed the dispatcher's naive pickup quote assumes, straight-line. Default 25 km/h. */
  nominalPickupKmh?: number
  /** A request no car could take within this long is cancelled (`no_car_available`). Default 180 000 ms. */
  maxDispatchWaitMs?: number
  /** How often the dispatcher retries waiting requests. Default 5000 ms. */
  dispatchRetryMs?: number
}

const positiveMs = z.number().int().positive()
const rate = z.number().min(0).finite()

const optionsSchema = z.object({
  startMs: epochMs,
  durationMs: z.number().min(0).default(Number.POSITIVE_INFINITY),
  seed: z.number().int().default(42),
  cars: z.number().int().min(1).max(99_999).default(50),
  telemetryIntervalMs: positiveMs.min(10).default(1000),
  telemetryJitterMs: z.number().int().min(0).default(50),
  ridesPerCarHour: rate.default(1.2),
  riders: z.number().int().min(1).optional(),
  zones: z
    .array(z.custom<CityZone>((v) => typeof v === 'object' && v !== null))
    .min(1)
    .default([...CITY_ZONES]),
  cityCentre: geoPoint.default(CITY_CENTRE),
  utcOffsetMin: z.number().int().min(-720).max(840).default(0),
  incidentsPerZoneDay: rate.default(1.5),
  offlinePerCarDay: rate.default(0.3),
  telemetryDropoutsPerCarHour: rate.default(3),
  faultsPerPickupDay: rate.default(0.5),
  lowBatteryPct: z.number().min(1).max(50).default(15),
  ecoModeBelowPct: z.number().min(0).max(100).default(25),
  nominalPickupKmh: z.number().positive().default(25),
  maxDispatchWaitMs: positiveMs.default(180_000),
  dispatchRetryMs: positiveMs.default(5000),
})

/** Options with every default filled in. */
export type ResolvedOptions = Omit<z.output<typeof optionsSchema>, 'riders' | 'zones'> & {
  riders: number
  zones: readonly CityZone[]
}

/**
 * Fills in defaults and rejects nonsense early (a `CONFIG_INVALID` FreshetError), so a bad flag fails before
 * anything is produced.
 */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) {
    throw new FreshetError('CONFIG_INVALID', `invalid simulator options: ${z.prettifyError(parsed.error)}`)
  }
  const o = parsed.data
  const ids = new Set<string>()
  for (const zone of o.zones) {
    if (!zoneId.safeParse(zone.id).success || ids.has(zone.id)) {
      throw new FreshetError('CONFIG_INVALID', `zone id ${zone.id} is malformed or duplicated`)
    }
    ids.add(zone.id)
  }
  if (!o.zones.some((zone) => zone.depot)) {
    throw new FreshetError('CONFIG_INVALID', 'at least one zone needs a charging depot')
  }
  return {
    ...o,
    riders: o.riders ?? o.cars * 40,
    telemetryJitterMs: Math.min(o.telemetryJitterMs, Math.floor(o.telemetryIntervalMs / 4)),
  }
}
