/**
 * The data the serving bench reads: the code's feature views registered under a private registry key, and fresh
 * online features for a fleet and every zone under a private key prefix, written by the sinks' online writer.
 */
import { type FeatureRecord, FeatureRegistry, featureRecordId } from '@freshet/feature-store'
import { CITY_ZONES, featureViews } from '@freshet/pipelines'
import { createRedisOnlineWriter, createRedisRegistryStore } from '@freshet/sinks'
import { Redis } from 'ioredis'

export interface BenchWorld {
  keyPrefix: string
  registryKey: string
  cars: string[]
  close(): Promise<void>
}

const ttlMs = (ref: string) => featureViews.find((v) => v.ref === ref)?.ttlMs

function record(
  view: string,
  entity: string,
  window: string,
  sizeMs: number,
  at: number,
  features: Record<string, number>,
): FeatureRecord {
  const end = Math.floor(at / 60_000) * 60_000 + 60_000
  return {
    id: featureRecordId(`${view}:v1`, entity, window, end - sizeMs, end),
    view,
    version: 1,
    entity,
    window,
    windowStart: end - sizeMs,
    windowEnd: end,
    eventTime: at,
    watermark: at,
    final: false,
    features,
  }
}

/**
 * Registers the views and writes `cars` cars (scattered over the city) and every zone.
 *
 * @example
 * const world = await benchWorld(redisUrl, 500, 'serving-bench:1a2b:')
 */
export async function benchWorld(redisUrl: string, cars: number, id: string): Promise<BenchWorld> {
  const keyPrefix = `serving-bench:${id}:`
  const registryKey = `serving-bench:${id}:registry`
  const store = createRedisRegistryStore({ url: redisUrl, key: registryKey })
  await new FeatureRegistry({ store }).register(featureViews)
  await store.close()

  const writer = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
  const at = Date.now() - 5_000
  const ids = Array.from({ length: cars }, (_, i) => `car-${String(i + 1).padStart(4, '0')}`)
  const records: FeatureRecord[] = []
  ids.forEach((car, i) => {
    const zone = CITY_ZONES[i % CITY_ZONES.length]!
    const lat = zone.centre.lat + ((i * 37) % 100) / 10_000
    const lon = zone.centre.lon - ((i * 53) % 100) / 10_000
    records.push(record('car_location', car, '1m', 60_000, at, { lat_last_1m: lat, lon_last_1m: lon }))
    records.push(
      record('car_motion', car, '5m', 300_000, at, {
        speed_kmh_mean_5m: 30,
        speed_kmh_max_5m: 50,
        speed_kmh_stddev_5m: 5,
      }),
    )
    records.push(
      record('car_motion', car, '15m', 900_000, at, {
        speed_kmh_mean_15m: 20 + (i % 20),
        speed_kmh_max_15m: 55,
        speed_kmh_stddev_15m: 7,
      }),
    )
    records.push(
      record('car_battery', car, '15m', 900_000, at, {
        battery_pct_rate_15m: -0.01,
        battery_pct_last_15m: 40 + (i % 50),
      }),
    )
  })
  for (const zone of CITY_ZONES) {
    records.push(
      record('zone_traffic', zone.id, '15m', 900_000, at, {
        car_id_distinct_15m: 9,
        speed_kmh_mean_15m: 21,
        trip_speed_kmh_mean_15m: 25,
      }),
    )
    records.push(
      record('zone_demand', zone.id, '15m', 900_000, at, {
        ride_requested_count_15m: 6,
        ride_picked_up_count_15m: 5,
      }),
    )
  }
  await writer.write(records)
  await writer.close()

  return {
    keyPrefix,
    registryKey,
    cars: ids,
    async close() {
      const admin = new Redis(redisUrl)
      try {
        const keys = await admin.keys(`${keyPrefix}*`)
        for (let i = 0; i < keys.length; i += 1000) await admin.del(...keys.slice(i, i + 1000))
        await admin.del(registryKey)
      } finally {
        admin.disconnect()
      }
    },
  }
}
