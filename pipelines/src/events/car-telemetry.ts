import { z } from 'zod'
import { carId, epochMs, geoPoint, zoneId } from './geo.js'

export const CAR_STATUSES = ['idle', 'to_pickup', 'on_trip', 'charging', 'offline'] as const
export type CarStatus = (typeof CAR_STATUSES)[number]

/**
 * One telemetry sample from a car, schema `car_telemetry` v1. Cars report about once a second while driving.
 *
 * @example
 * carTelemetryV1.parse({ carId: 'car-0001', ts: 1_764_000_000_000, position: { lat: 52.52, lon: 13.40 },
 *   zoneId: 'z-downtown', speedKmh: 31.5, headingDeg: 92, batteryPct: 78.2, status: 'on_trip', odometerKm: 10432.7 })
 */
export const carTelemetryV1 = z
  .strictObject({
    carId,
    ts: epochMs.describe('Event time: when the car took the sample (epoch ms)'),
    position: geoPoint,
    zoneId: zoneId.describe('Zone the car is in, from its onboard geofence'),
    speedKmh: z.number().min(0).max(250),
    headingDeg: z.number().min(0).lt(360),
    batteryPct: z.number().min(0).max(100),
    status: z.enum(CAR_STATUSES),
    odometerKm: z.number().min(0),
  })
  .describe('Car telemetry sample (schema car_telemetry v1)')

export type CarTelemetry = z.infer<typeof carTelemetryV1>
