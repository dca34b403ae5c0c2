import type { RideCompleted } from '@freshet/pipelines'
import { describe, expect, it } from 'vitest'
import { legsOf } from './legs.js'

const ride: RideCompleted = {
  type: 'ride_completed',
  rideId: 'ride-000042',
  ts: Date.UTC(2025, 0, 6, 8, 30),
  carId: 'car-0007',
  requestedAt: Date.UTC(2025, 0, 6, 8, 0),
  pickedUpAt: Date.UTC(2025, 0, 6, 8, 6, 30),
  pickup: { lat: 52.52, lon: 13.4 },
  dropoff: { lat: 52.5815, lon: 13.2598 },
  pickupZone: 'z-downtown',
  dropoffZone: 'z-airport',
  distanceKm: 12.4,
  actualDurationS: 1410,
}

describe('legsOf', () => {
  it('makes the pickup leg from the car position at request time and the trip leg from the pickup', () => {
    const position = { lat: 52.5345, lon: 13.3616 }
    expect(legsOf(ride, position)).toEqual([
      {
        rideId: 'ride-000042',
        kind: 'pickup',
        carId: 'car-0007',
        at: ride.requestedAt,
        origin: position,
        destination: ride.pickup,
        originZone: 'z-old-town',
        durationS: 390,
      },
      {
        rideId: 'ride-000042',
        kind: 'trip',
        carId: 'car-0007',
        at: ride.pickedUpAt,
        origin: ride.pickup,
        destination: ride.dropoff,
        originZone: 'z-downtown',
        durationS: 1410,
      },
    ])
  })

  it('keeps only the trip leg when the car position at request time is unknown', () => {
    expect(legsOf(ride, undefined).map((l) => l.kind)).toEqual(['trip'])
  })

  it('gives an origin outside the city no zone, so zone features join nothing', () => {
    const [pickup] = legsOf(ride, { lat: 48.14, lon: 11.58 })
    expect(pickup!.originZone).toBe('')
  })
})
