import type { AnyFeatureView } from '@freshet/feature-store'
import { carBattery } from './car-battery.js'
import { carDistance } from './car-distance.js'
import { carLocation } from './car-location.js'
import { carMotion } from './car-motion.js'
import { carStatus } from './car-status.js'
import { carTelemetryGap } from './car-telemetry-gap.js'
import { zoneDemand } from './zone-demand.js'
import { zoneTraffic } from './zone-traffic.js'

export {
  carBattery,
  carDistance,
  carLocation,
  carMotion,
  carStatus,
  carTelemetryGap,
  zoneDemand,
  zoneTraffic,
}

/**
 * Every feature view of the car domain, in a stable order: what the engine runs by default and what the
 * registry publishes. Output names are a contract with the stores and the models (see features.test.ts).
 *
 * @example
 * const view = featureViews.find((v) => v.ref === 'car_motion:v1')
 */
export const featureViews: readonly AnyFeatureView[] = [
  carMotion,
  carDistance,
  carBattery,
  carStatus,
  zoneTraffic,
  zoneDemand,
  carLocation,
]

/**
 * The views the live engine runs: all of them (zone views run in two phases through a repartition topic).
 * Kept as its own name so a view can be defined and tested offline before it goes live.
 */
export const liveFeatureViews: readonly AnyFeatureView[] = featureViews

/** The complex-event patterns the live engine runs beside the views (alerts on `freshet.alerts.v1`). */
export const livePatterns = [carTelemetryGap] as const
