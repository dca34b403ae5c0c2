import type { z } from 'zod'
import { type CarTelemetry, carTelemetryV1 } from './car-telemetry.js'
import { type RideEvent, rideEventV1 } from './ride-event.js'

/**
 * A versioned event schema: what a topic's values are, how they are keyed, and where their event time is.
 * The name+version pair travels in every message's headers, so a consumer never guesses.
 */
export interface EventSchema<T = unknown> {
  readonly name: string
  readonly version: number
  readonly description: string
  readonly schema: z.ZodType<T>
  /** Kafka message key: decides the partition, and so which events keep their relative order. */
  key(event: T): string
  /** Event time in epoch ms (never the broker's append time). */
  eventTime(event: T): number
}

/**
 * `car_telemetry` v1, keyed by car id.
 *
 * @example
 * const record = encodeEvent(carTelemetrySchema, sample) // headers carry car_telemetry / 1
 */
export const carTelemetrySchema: EventSchema<CarTelemetry> = {
  name: 'car_telemetry',
  version: 1,
  description: 'Telemetry samples from each car: position, speed, heading, battery, status, odometer.',
  schema: carTelemetryV1,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
}

/**
 * `ride_event` v1, keyed by the car serving the ride; before a car is assigned (a request, or a cancellation
 * with no car) by the ride id, so every message has a stable key.
 */
export const rideEventSchema: EventSchema<RideEvent> = {
  name: 'ride_event',
  version: 1,
  description: 'Ride lifecycle: requested, assigned, picked up, completed (with actual duration), cancelled.',
  schema: rideEventV1,
  key: (e) => ('carId' in e && e.carId !== undefined ? e.carId : e.rideId),
  eventTime: (e) => e.ts,
}

/** Every schema Freshet knows, by `name@version`. */
export const eventSchemas: ReadonlyMap<string, EventSchema> = new Map(
  ([carTelemetrySchema, rideEventSchema] as EventSchema[]).map((s) => [schemaRef(s.name, s.version), s]),
)

export function schemaRef(name: string, version: number): string {
  return `${name}@${version}`
}
