import type { FeatureRecord, LabelRow, TrainingRow } from '@freshet/feature-store'
import type { OfflineViewDefinition } from '../feature-table.js'

export interface ReferenceRequest {
  view: OfflineViewDefinition
  /** Feature names of `view` to join. */
  features: readonly string[]
  /** Label column holding the entity. */
  key: string
}

/**
 * Brute-force point-in-time join, the definition the SQL must match: for each label and feature, among the
 * records of the label's entity and the feature's window with eventTime ≤ t and availableAt ≤ t, the newest by
 * (eventTime, id); null when there is none or t − eventTime > ttl. availableAt is processedAt, else
 * max(eventTime, watermark). Only final records count.
 */
export function pointInTimeReference(
  records: readonly FeatureRecord[],
  labels: readonly LabelRow[],
  request: ReferenceRequest,
): TrainingRow[] {
  const { view, features, key } = request
  const windowOf = new Map(view.outputs.map((o) => [o.name, o.window]))
  const finals = records.filter((r) => r.final && r.view === view.name && r.version === view.version)
  return labels.map((label) => {
    const { timestamp, ...rest } = label
    const row: TrainingRow = { timestamp }
    for (const [name, value] of Object.entries(rest)) row[name] = value ?? null
    for (const feature of features) {
      let best: FeatureRecord | undefined
      for (const r of finals) {
        const availableAt = r.processedAt ?? Math.max(r.eventTime, r.watermark)
        if (r.entity !== label[key] || r.window !== windowOf.get(feature)) continue
        if (r.eventTime > timestamp || availableAt > timestamp) continue
        if (
          best === undefined ||
          r.eventTime > best.eventTime ||
          (r.eventTime === best.eventTime && r.id > best.id)
        ) {
          best = r
        }
      }
      const valid = best !== undefined && timestamp - best.eventTime <= view.ttlMs
      row[`${view.name}:v${view.version}:${feature}`] = valid ? (best!.features[feature] ?? null) : null
    }
    return row
  })
}
