import { randomUUID } from 'node:crypto'
import {
  type AlertRecord,
  alertRecordV1,
  type FeatureRecord,
  featureRecordV1,
  type KafkaBackbone,
} from '@freshet/pipelines'

export interface FeatureTapReport {
  /** Final feature records per view since the last report. */
  perView: Record<string, number>
  /** The latest record seen (highest window end), to show real values. */
  latest?: FeatureRecord
  /** Pattern alerts since the last report (fired and resolved). */
  alerts: AlertRecord[]
}

/** Counts the feature records the engine publishes (read_committed: only what its transactions committed). */
export async function startFeatureTap(kafka: KafkaBackbone, topics: readonly string[]) {
  let report: FeatureTapReport = { perView: {}, alerts: [] }
  const consumer = await kafka.consume({
    groupId: `freshet-demo-features-${randomUUID()}`,
    topics,
    fromBeginning: false,
    onBatch: async (records) => {
      for (const r of records) {
        if (r.headers['freshet-schema'] === 'alert_record') {
          const alert = alertRecordV1.safeParse(JSON.parse(r.value?.toString() ?? 'null'))
          if (alert.success) report.alerts.push(alert.data)
          continue
        }
        const parsed = featureRecordV1.safeParse(JSON.parse(r.value?.toString() ?? 'null'))
        if (!parsed.success) continue
        const f = parsed.data
        report.perView[`${f.view}:v${f.version}`] = (report.perView[`${f.view}:v${f.version}`] ?? 0) + 1
        if (!report.latest || f.windowEnd >= report.latest.windowEnd) report.latest = f
      }
    },
  })
  await consumer.started
  return {
    report(): FeatureTapReport {
      const out = report
      report = { perView: {}, alerts: [] }
      return out
    },
    stop: () => consumer.stop(),
  }
}

export function describeFeatures(r: FeatureTapReport): string {
  const counts = Object.entries(r.perView)
    .map(([view, n]) => `${view} ${n}`)
    .join(', ')
  if (!r.latest) return 'features → none closed yet (windows close one slide + 30 s grace after their end)'
  const f = r.latest
  const values = Object.entries(f.features)
    .slice(0, 4)
    .map(([name, v]) => `${name}=${v === null ? 'null' : Number(v.toFixed(2))}`)
    .join(' ')
  const at = new Date(f.windowEnd).toISOString().slice(11, 19)
  return `features → ${counts} | e.g. ${f.entity} ${f.view} ${f.window} window ending ${at}: ${values}`
}

export function describeAlerts(alerts: readonly AlertRecord[]): string | undefined {
  if (alerts.length === 0) return undefined
  return `alerts → ${alerts
    .map((a) =>
      a.kind === 'fired'
        ? `${a.key} silent since ${new Date(a.lastSeenAt).toISOString().slice(11, 19)} on a trip in ${String(a.context.zoneId)}`
        : `${a.key} back after ${(a.gapMs / 1000).toFixed(0)} s`,
    )
    .join('; ')}`
}
