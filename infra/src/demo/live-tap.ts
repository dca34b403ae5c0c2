import { randomUUID } from 'node:crypto'
import {
  type CarTelemetry,
  decodeEvent,
  type KafkaBackbone,
  type RecordConsumer,
  type RideCompleted,
  type RideEvent,
  TOPICS,
} from '@freshet/pipelines'

/** What the demo's tap has seen on the event topics since the last report. */
export interface TapReport {
  telemetry: number
  rideEvents: Record<string, number>
  cars: number
  invalid: number
  latest?: CarTelemetry
}

/**
 * A read_committed consumer in a throwaway group that counts what flows through the event topics, so the demo shows
 * events that really made the round trip through the broker (not what the simulator believes it sent).
 */
export async function startLiveTap(
  kafka: KafkaBackbone,
  onRideEvent?: (event: RideEvent) => void,
): Promise<{
  report(): TapReport
  completedRides(): readonly RideCompleted[]
  stop(): Promise<void>
}> {
  let window = emptyReport()
  const cars = new Set<string>()
  const completed: RideCompleted[] = []
  const consumer: RecordConsumer = await kafka.consume({
    groupId: `freshet-demo-tap-${randomUUID()}`,
    topics: [TOPICS.telemetry.name, TOPICS.rides.name],
    fromBeginning: false,
    onBatch: async (records) => {
      for (const record of records) {
        const decoded = decodeEvent(record)
        if (!decoded.ok) {
          window.invalid++
          continue
        }
        if (record.topic === TOPICS.telemetry.name) {
          const event = decoded.event as CarTelemetry
          window.telemetry++
          cars.add(event.carId)
          window.latest = event
        } else {
          const type = (decoded.event as { type: string }).type
          onRideEvent?.(decoded.event as RideEvent)
          if (type === 'ride_completed') completed.push(decoded.event as RideCompleted)
          window.rideEvents[type] = (window.rideEvents[type] ?? 0) + 1
        }
      }
    },
  })
  await consumer.started
  return {
    report() {
      const out = { ...window, cars: cars.size }
      window = emptyReport()
      return out
    },
    /** Every completed ride seen so far: the demo's training labels. */
    completedRides: (): readonly RideCompleted[] => completed,
    stop: () => consumer.stop(),
  }
}

function emptyReport(): TapReport {
  return { telemetry: 0, rideEvents: {}, cars: 0, invalid: 0 }
}
