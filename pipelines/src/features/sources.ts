import type { EventSource } from '@freshet/feature-store'
import type { CarTelemetry } from '../events/car-telemetry.js'
import { carTelemetrySchema, rideEventSchema } from '../events/event-schema.js'
import type { RideEvent } from '../events/ride-event.js'
import { TOPICS } from '../topics/catalog.js'

/** Car telemetry as feature views read it: the topic and the schema its values carry. */
export const telemetrySource: EventSource<CarTelemetry> = {
  topic: TOPICS.telemetry.name,
  schema: carTelemetrySchema,
}

/** Ride lifecycle events as feature views read them. */
export const rideSource: EventSource<RideEvent> = { topic: TOPICS.rides.name, schema: rideEventSchema }

/** Who answers for the car domain's feature views (alerts, schema questions, deprecations). */
export const OWNER = 'mobility-features'

/**
 * Telemetry reaches the broker within seconds; 30 s of grace absorbs a reconnecting car without holding
 * every window open much longer than it lasts.
 */
export const GRACE = '30s'
