import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type AnyFeatureView,
  type FeatureRef,
  FeatureRegistry,
  formatFeatureRef,
  type LabelRow,
  parseFeatureRef,
  type TrainingRow,
} from '@freshet/feature-store'
import type { KafkaBackbone } from '@freshet/pipelines'
import {
  createClickHouseOfflineReader,
  createClickHouseOfflineWriter,
  createRedisOnlineReader,
  createRedisOnlineWriter,
  createRedisRegistryStore,
  runSink,
} from '@freshet/sinks'

export interface StoreStageOptions {
  kafka: KafkaBackbone
  views: readonly AnyFeatureView[]
  redisUrl: string
  /** The demo's own chDB data dir: this process owns it, like the sink deployable owns `.freshet/chdb`. */
  dataDir: string
}

export interface StoreReport {
  /** Records both stores acknowledged (and the sink committed) since the last report, per view. */
  perView: Record<string, number>
  deadLettered: number
}

/** What the demo shows of one car: the same features read from Redis (now) and ClickHouse (as of now). */
export interface StoreSample {
  car: string
  online: { ref: string; value: number | null; ageS: number | null; status: string }[]
  offline: TrainingRow | undefined
}

/** Features the demo samples and exports: one per car view. */
export const DEMO_REFS = [
  'car_motion:v1:speed_kmh_mean_15m',
  'car_battery:v1:battery_pct_last_15m',
  'car_status:v1:telemetry_ts_max_15m',
].map((ref) => parseFeatureRef(ref) as FeatureRef)

/**
 * The feature store leg of the demo: the sink (the same `runSink` as `npm run sink`) consumes the feature topics
 * and lands every record in Redis and in an embedded ClickHouse, committing after both acknowledged. The sink
 * group is fixed, so a demo run with `--keep` services resumes where the last one stopped.
 *
 * @example
 * const stores = await startStoreStage({ kafka, views, redisUrl, dataDir: '.freshet/demo' })
 * console.log(stores.report().perView) // { 'car_motion:v1': 240, … }
 */
export async function startStoreStage(options: StoreStageOptions) {
  const ttlMs = (ref: string) => options.views.find((v) => v.ref === ref)?.ttlMs
  // Like the sink deployable: register the views first (serving checks its model against the registry).
  const registry = createRedisRegistryStore({ url: options.redisUrl })
  try {
    await new FeatureRegistry({ store: registry }).register(options.views)
  } finally {
    await registry.close()
  }
  const clickhouse = { dataDir: join(options.dataDir, 'chdb') }
  const online = createRedisOnlineWriter({ url: options.redisUrl, ttlMs })
  const onlineReader = createRedisOnlineReader({ url: options.redisUrl, ttlMs })
  const offline = await createClickHouseOfflineWriter({ ...clickhouse, views: options.views })
  const offlineReader = await createClickHouseOfflineReader({
    ...clickhouse,
    views: options.views,
    migrate: false,
  })
  const topicView = new Map(options.views.map((v) => [`features.${v.name}.v${v.version}`, v.ref]))
  let report: StoreReport = { perView: {}, deadLettered: 0 }
  const sink = await runSink({
    kafka: options.kafka,
    views: options.views,
    online,
    offline,
    groupId: 'freshet-demo-sinks',
    onCommit: (c) => {
      const ref = topicView.get(c.topic) ?? c.topic
      report.perView[ref] = (report.perView[ref] ?? 0) + c.written
      report.deadLettered += c.deadLettered
    },
  })

  return {
    /** The offline writer, for a backfill worker in this process (the chDB dir has one owner). */
    offline,

    report(): StoreReport {
      const out = report
      report = { perView: {}, deadLettered: 0 }
      return out
    },

    /** One car's features from both stores, read the way serving and training read them. */
    async sample(car: string, now = Date.now()): Promise<StoreSample> {
      const values = await onlineReader.read([car], DEMO_REFS, now)
      let offlineRow: TrainingRow | undefined
      for await (const row of offlineReader.getHistoricalFeatures([{ timestamp: now, car }], DEMO_REFS)) {
        offlineRow = row
      }
      return {
        car,
        online: values.map((v) => ({
          ref: formatFeatureRef(v.ref),
          value: v.value,
          ageS: v.ageMs === null ? null : Math.round(v.ageMs / 1000),
          status: v.status,
        })),
        offline: offlineRow,
      }
    },

    /**
     * A point-in-time training set for `labels` (one row per label, features as known at its timestamp) written
     * as Parquet to `<dataDir>/training-set.parquet`; returns the path and the first rows as JSON.
     */
    async exportTrainingSet(labels: readonly LabelRow[]) {
      const path = join(options.dataDir, 'training-set.parquet')
      const chunks: Uint8Array[] = []
      for await (const chunk of offlineReader.exportHistoricalFeatures(labels, DEMO_REFS, 'Parquet')) {
        chunks.push(chunk)
      }
      await mkdir(options.dataDir, { recursive: true })
      await writeFile(path, Buffer.concat(chunks))
      const rows: TrainingRow[] = []
      for await (const row of offlineReader.getHistoricalFeatures(labels, DEMO_REFS)) rows.push(row)
      return { path, bytes: chunks.reduce((n, c) => n + c.length, 0), rows }
    },

    async stop() {
      await sink.stop()
      await Promise.allSettled([online.close(), onlineReader.close(), offline.close(), offlineReader.close()])
    },
  }
}

export function describeStores(r: StoreReport): string {
  const counts = Object.entries(r.perView)
    .map(([view, n]) => `${view} ${n}`)
    .join(', ')
  const dlq = r.deadLettered > 0 ? `, ${r.deadLettered} dead-lettered` : ''
  return `stores → ${counts || 'nothing new'} landed in Redis + ClickHouse${dlq}`
}

export function describeSample(s: StoreSample): string {
  const online = s.online
    .map(
      (f) =>
        `${f.ref.split(':')[2]}=${f.value === null ? f.status : round(f.value)} (age ${f.ageS ?? '-'} s)`,
    )
    .join(' ')
  const offline = s.offline
    ? DEMO_REFS.map((ref) => {
        const v = s.offline?.[formatFeatureRef(ref)]
        return `${ref.feature}=${typeof v === 'number' ? round(v) : 'null'}`
      }).join(' ')
    : 'no row'
  return `  ${s.car}: redis ${online}\n  ${s.car}: clickhouse as of now ${offline}`
}

function round(v: number): number {
  return Math.abs(v) > 1e9 ? v : Number(v.toFixed(2))
}
