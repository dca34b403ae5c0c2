import {
  defineFeatureView,
  type FeatureRecord,
  type FeatureView,
  featureRecordId,
  hopping,
  max,
  mean,
  sum,
} from '@freshet/feature-store'
import { z } from 'zod'

const telemetry = z.object({ carId: z.string(), zone: z.string(), ts: z.number(), speedKmh: z.number() })
type Telemetry = z.infer<typeof telemetry>
const source = {
  topic: 'test.telemetry.v1',
  schema: { name: 'test_telemetry', version: 1, schema: telemetry },
}

/** A car view with two windows: outputs `speed_kmh_{mean,max}_{5m,15m}`, ttl 2 h. */
export const carSpeed: FeatureView<Telemetry> = defineFeatureView({
  name: 'car_speed',
  version: 1,
  entity: 'car',
  description: 'test view',
  owner: 'tests',
  source,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [hopping('5m', '1m'), hopping('15m', '1m')],
  grace: '10s',
  emit: 'final',
  features: { speedKmh: [mean, max] },
  ttl: '2h',
})

/** A zone view: output `speed_kmh_sum_15m`, ttl 30 min. */
export const zoneLoad: FeatureView<Telemetry> = defineFeatureView({
  name: 'zone_load',
  version: 1,
  entity: 'zone',
  description: 'test view',
  owner: 'tests',
  source,
  key: (e) => e.zone,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: '10s',
  emit: 'final',
  features: { speedKmh: [sum] },
  ttl: '30m',
})

export interface RecordInput {
  entity: string
  window: string
  /** Window end = event time of a final record. */
  end: number
  features: Record<string, number | null>
  processedAt?: number | undefined
  watermark?: number
  final?: boolean
  /** Window length; default 5 minutes. */
  sizeMs?: number
}

/** A feature record of `view` shaped like the engine's. */
export function featureRecord(view: FeatureView<Telemetry>, input: RecordInput): FeatureRecord {
  const start = input.end - (input.sizeMs ?? 300_000)
  const record: FeatureRecord = {
    id: featureRecordId(view.ref, input.entity, input.window, start, input.end),
    view: view.name,
    version: view.version,
    entity: input.entity,
    window: input.window,
    windowStart: start,
    windowEnd: input.end,
    eventTime: input.end,
    watermark: input.watermark ?? input.end + 10_000,
    final: input.final ?? true,
    features: input.features,
  }
  if (input.processedAt !== undefined) record.processedAt = input.processedAt
  return record
}

/** 2025-11-20T00:00:00Z: test times are offsets from here. */
export const T0 = Date.UTC(2025, 10, 20)
