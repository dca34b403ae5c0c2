import { describe, expect, it } from 'vitest'
import { AbsenceDetector } from '../cep/absence-detector.js'
import { type AlertRecord, alertRecordMessage } from '../cep/alert-record.js'
import type { CarTelemetry } from '../events/car-telemetry.js'
import { simulate } from '../simulator/simulation.js'
import { TOPICS } from '../topics/catalog.js'
import { carTelemetryGap } from './car-telemetry-gap.js'

const MINUTE_MS = 60_000
/** Monday 2025-01-06 07:00 UTC: the morning rush. */
const MONDAY_7AM = Date.UTC(2025, 0, 6, 7)
/** What the demo runs: a busy fleet for 20 minutes, with the simulator's default telemetry dropouts. */
const telemetry = [
  ...simulate({ seed: 7, cars: 20, ridesPerCarHour: 20, startMs: MONDAY_7AM, durationMs: 20 * MINUTE_MS }),
].flatMap((e) => (e.kind === 'telemetry' ? [e.event] : []))

const context = (e: CarTelemetry) => ({
  status: e.status,
  zoneId: e.zoneId,
  position: e.position,
  speedKmh: e.speedKmh,
})

/**
 * Brute force over the whole stream, which is in event-time order like one partition: an on-trip sample L
 * fires if, before the car's next sample N, some sample of any car reaches L + 30 s (or the input ends); a
 * fired L resolves at N. Everything here is within the one-hour resolve window.
 */
function expectedAlerts(stream: readonly CarTelemetry[]): AlertRecord[] {
  const alerts: AlertRecord[] = []
  stream.forEach((last, i) => {
    if (last.status !== 'on_trip') return
    const deadline = last.ts + 30_000
    let j = i + 1
    while (j < stream.length && stream[j]!.carId !== last.carId && stream[j]!.ts < deadline) j++
    if (j < stream.length && stream[j]!.carId === last.carId) return
    const id = `car_telemetry_gap:v1:${last.carId}:${last.ts}`
    const common = { pattern: 'car_telemetry_gap', version: 1, entity: 'car', key: last.carId }
    const firedAt = stream[j]?.ts ?? deadline
    alerts.push({
      id: `${id}:fired`,
      ...common,
      kind: 'fired',
      lastSeenAt: last.ts,
      eventTime: deadline,
      watermark: firedAt,
      context: context(last),
    })
    const back = stream.slice(i + 1).find((e) => e.carId === last.carId)
    if (!back) return
    alerts.push({
      id: `${id}:resolved`,
      ...common,
      kind: 'resolved',
      lastSeenAt: last.ts,
      eventTime: back.ts,
      gapMs: back.ts - last.ts,
      watermark: back.ts,
      context: context(back),
    })
  })
  return alerts
}

describe('car_telemetry_gap', () => {
  it('is a 30 s absence pattern over car telemetry, keyed by car, armed while on a trip', () => {
    expect(carTelemetryGap).toMatchObject({
      ref: 'car_telemetry_gap:v1',
      entity: 'car',
      owner: 'mobility-features',
      timeoutMs: 30_000,
      resolveWithinMs: 3_600_000,
      source: { topic: TOPICS.telemetry.name },
    })
    const sample = telemetry.find((e) => e.status === 'on_trip')!
    expect(carTelemetryGap.while(sample)).toBe(true)
    expect(carTelemetryGap.while({ ...sample, status: 'to_pickup' })).toBe(false)
    expect(carTelemetryGap.context(sample)).toEqual(context(sample))
  })

  it('alerts on every on-trip silence of the simulated fleet, exactly as the brute force finds them', () => {
    const detector = new AbsenceDetector(carTelemetryGap)
    const live: AlertRecord[] = []
    for (const e of telemetry)
      live.push(...detector.add(e), ...detector.advance(Math.max(detector.watermark, e.ts)))
    const end = detector.advance(Number.POSITIVE_INFINITY)
    const byId = (a: AlertRecord, b: AlertRecord) => (a.id < b.id ? -1 : 1)
    expect([...live, ...end].sort(byId)).toEqual(expectedAlerts(telemetry).sort(byId))
    // The demo shows alerts several times in 20 minutes, not just at the end of input.
    expect(live.filter((a) => a.kind === 'fired').length).toBeGreaterThanOrEqual(3)
    expect(live.filter((a) => a.kind === 'resolved').length).toBeGreaterThanOrEqual(2)
    for (const a of live) {
      if (a.kind === 'resolved') expect(a.gapMs).toBeGreaterThanOrEqual(30_000)
      expect(() => alertRecordMessage(TOPICS.alerts.name, a, Date.now())).not.toThrow()
    }
  })
})
