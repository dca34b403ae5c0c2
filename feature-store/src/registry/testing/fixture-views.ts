import type { z } from 'zod'
import { count } from '../../aggregators/count.js'
import { distinctCount } from '../../aggregators/distinct-count.js'
import { max } from '../../aggregators/extremes.js'
import { mean } from '../../aggregators/mean.js'
import { percentile } from '../../aggregators/percentile.js'
import { sum } from '../../aggregators/sum.js'
import {
  type AnyFeatureView,
  defineFeatureView,
  type FeatureSpec,
  type FeatureViewInput,
} from '../../definitions/feature-view.js'
import { hopping, session, tumbling } from '../../windows/window-spec.js'

/** A ride event as the fixtures read it. */
export interface FixtureRide {
  zone: string
  riderId: string
  type: string
  fare: number
  ts: number
  pickupTs?: number
}

/**
 * `defineFeatureView`, plus the user functions the registry hashes (`view.functions`) for as long as
 * defineFeatureView does not expose them itself; once it does this returns its view unchanged.
 *
 * @example
 * const view = defineTestView(rideFixtureInput)
 */
export function defineTestView<E>(input: FeatureViewInput<E>): AnyFeatureView {
  const view: AnyFeatureView & { functions?: unknown } = defineFeatureView(input)
  if (view.functions !== undefined) return view
  const values = Object.entries(input.features).flatMap(([field, spec]) =>
    Array.isArray(spec) ? [] : [[field, (spec as FeatureSpec<E>).value] as const],
  )
  return Object.freeze({
    ...view,
    functions: {
      key: input.key,
      eventTime: input.eventTime,
      ...(input.filter === undefined ? {} : { filter: input.filter }),
      values: Object.fromEntries(values),
    },
  })
}

const rideSchema = { name: 'ride_event', version: 3, schema: undefined as unknown as z.ZodType<FixtureRide> }

/** A view exercising every part of the description: two window kinds, params, custom values, a filter. */
export const rideFixtureInput: FeatureViewInput<FixtureRide> = {
  name: 'ride_fixture',
  version: 2,
  entity: 'pickupZone',
  description: 'Fares, riders and waits per pickup zone.',
  owner: 'registry-tests',
  source: { topic: 'ride.events.v1', schema: rideSchema },
  key: (e) => e.zone,
  eventTime: (e) => e.ts,
  filter: (e) => e.type !== 'test',
  windows: [hopping('15m', '1m'), tumbling('1h')],
  grace: '30s',
  emit: 'final',
  features: {
    fare: [mean, max, percentile(0.95)],
    riders: { value: (e) => e.riderId, aggregations: [distinctCount({ precision: 10 })] },
    waitS: {
      // Seconds from the event to pickup; events before a pickup have none.
      value: (e) => (e.pickupTs === undefined ? undefined : (e.pickupTs - e.ts) / 1_000),
      aggregations: [sum, count],
    },
  },
  ttl: '2h',
}

/** A view with only shorthand fields, no filter, session windows and updating emission. */
export const sessionFixtureInput: FeatureViewInput<FixtureRide> = {
  name: 'session_fixture',
  version: 1,
  entity: 'rider',
  description: 'Fares per rider session.',
  owner: 'registry-tests',
  source: { topic: 'ride.events.v1', schema: rideSchema },
  key: (e) => e.riderId,
  eventTime: (e) => e.ts,
  windows: [session('30m', { label: 'session30m' })],
  grace: 0,
  emit: 'updating',
  features: { fare: [sum] },
  ttl: '1d',
}

export const fixtureViews: readonly AnyFeatureView[] = [
  defineTestView(rideFixtureInput),
  defineTestView(sessionFixtureInput),
]
