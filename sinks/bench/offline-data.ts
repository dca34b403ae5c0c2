import { type FeatureRecord, type FeatureRef, featureRecordId, type LabelRow } from '@freshet/feature-store'
import type { OfflineViewDefinition } from '../src/clickhouse/feature-table.js'
import { quoteIdentifier } from '../src/clickhouse/identifiers.js'

const WINDOWS = [
  { label: '5m', sizeMs: 5 * 60_000 },
  { label: '15m', sizeMs: 15 * 60_000 },
]
/** Records become servable this long after their window ends (the engine's grace + commit). */
export const PROCESSING_DELAY_MS = 12_000
/** 2025-11-20T00:00:00Z, the start of the synthetic history. */
export const BENCH_T0 = Date.UTC(2025, 10, 20)

/**
 * Two car views sharing `features` outputs between them, each over a 5- and a 15-minute window (like
 * car_motion and car_status): `bench_a:v1:f0_5m`, `bench_b:v1:f1_15m`, …
 */
export function benchViews(features: number): OfflineViewDefinition[] {
  return ['bench_a', 'bench_b'].map((name, v) => {
    const count = Math.floor(features / 2) + (v < features % 2 ? 1 : 0)
    const outputs = Array.from({ length: count }, (_, i) => {
      const window = WINDOWS[i % WINDOWS.length]!.label
      return { name: `f${i}_${window}`, field: `f${i}`, aggregator: 'mean', window }
    })
    return { name, version: 1, ref: `${name}:v1`, entity: 'car', ttlMs: 2 * 60 * 60_000, outputs }
  })
}

export function benchRefs(views: readonly OfflineViewDefinition[]): FeatureRef[] {
  return views.flatMap((v) => v.outputs.map((o) => ({ view: v.name, version: v.version, feature: o.name })))
}

/** Final records, one per car, view and window every minute, in minute order (as a sink would see them). */
export function* benchRecords(
  views: readonly OfflineViewDefinition[],
  cars: number,
  minutes: number,
): Generator<FeatureRecord> {
  const random = mulberry32(7)
  for (let minute = 1; minute <= minutes; minute++) {
    const end = BENCH_T0 + minute * 60_000
    for (let car = 0; car < cars; car++) {
      const entity = carName(car)
      for (const view of views) {
        for (const w of WINDOWS) {
          const features: Record<string, number | null> = {}
          for (const o of view.outputs)
            if (o.window === w.label) features[o.name] = Math.round(random() * 1e4) / 100
          yield {
            id: featureRecordId(view.ref, entity, w.label, end - w.sizeMs, end),
            view: view.name,
            version: view.version,
            entity,
            window: w.label,
            windowStart: end - w.sizeMs,
            windowEnd: end,
            eventTime: end,
            watermark: end + 10_000,
            final: true,
            features,
            processedAt: end + PROCESSING_DELAY_MS,
          }
        }
      }
    }
  }
}

/** Records a view emits per car and minute. */
export const RECORDS_PER_CAR_MINUTE = 2 * WINDOWS.length

/** Labels at random times of the history (after the first 15 minutes), deterministic for a seed. */
export function* benchLabels(
  count: number,
  cars: number,
  minutes: number,
  seed: number,
): Generator<LabelRow> {
  const random = mulberry32(seed)
  const from = BENCH_T0 + 15 * 60_000
  const span = minutes * 60_000 - 15 * 60_000
  for (let i = 0; i < count; i++) {
    yield {
      timestamp: from + Math.floor(random() * span),
      car: carName(Math.floor(random() * cars)),
      eta_s: Math.round(random() * 1800),
    }
  }
}

/**
 * What a data scientist would write by hand over the same tables, with labels in `labels (row, ts, car, eta_s)`:
 * one ASOF JOIN per (view, window) on availability, ttl applied, FINAL for deduplication. It has no served
 * timeline, so it is only right when records arrive in event-time order, as they do here.
 */
export function handwrittenQuery(views: readonly OfflineViewDefinition[]): string {
  const joins: string[] = []
  const columns: string[] = []
  let j = 0
  for (const view of views) {
    const table = quoteIdentifier(`features_${view.name}_v${view.version}`)
    for (const w of WINDOWS) {
      const outputs = view.outputs.filter((o) => o.window === w.label)
      if (outputs.length === 0) continue
      const alias = `j${j++}`
      const cols = outputs.map((o) => quoteIdentifier(o.name)).join(', ')
      joins.push(`ASOF LEFT JOIN (
        SELECT entity, event_time, available_at, ${cols} FROM ${table} FINAL WHERE window_label = '${w.label}'
      ) AS ${alias} ON l.car = ${alias}.entity AND ${alias}.available_at <= l.ts`)
      for (const o of outputs) {
        columns.push(
          `if(toUnixTimestamp64Milli(l.ts) - toUnixTimestamp64Milli(${alias}.event_time) <= ${view.ttlMs}, ` +
            `${alias}.${quoteIdentifier(o.name)}, NULL) AS \`${view.name}:v${view.version}:${o.name}\``,
        )
      }
    }
  }
  return `SELECT toUnixTimestamp64Milli(l.ts) AS \`timestamp\`, l.car AS car, l.eta_s AS eta_s, ${columns.join(', ')}
    FROM labels AS l ${joins.join('\n')}
    ORDER BY l.row`
}

function carName(i: number): string {
  return `car-${String(i).padStart(5, '0')}`
}

/** A small seeded PRNG: the same seed gives the same history and labels in both modes. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
