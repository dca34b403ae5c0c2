import { z } from 'zod'

/** WGS84 position. Bounds are checked so a corrupt GPS fix is rejected at the edge, not averaged into a feature. */
export const geoPoint = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
})
export type GeoPoint = z.infer<typeof geoPoint>

/** Event time in epoch milliseconds; after 2000-01-01 so seconds-vs-milliseconds mix-ups fail loudly. */
export const epochMs = z.number().int().min(946_684_800_000).max(8_640_000_000_000)

export const carId = z
  .string()
  .regex(/^car-[0-9]{4,}$/, 'car id must look like car-0042')
  .describe('Car identifier, the Kafka message key of car-keyed topics')

export const zoneId = z
  .string()
  .regex(/^z-[a-z0-9-]+$/, 'zone id must look like z-downtown')
  .describe('City zone identifier')
