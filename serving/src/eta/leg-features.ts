import type { OnlineFeatureValue, OnlineStatus } from '@freshet/feature-store'
import type { FeaturePlan } from './feature-plan.js'

/** What serving did with a feature: fed the stored value, fed the card's default, or refused to answer. */
export type FeatureAction = 'used' | 'defaulted' | 'refused'

/** One model input of one leg, as the response reports it. */
export interface FeatureReport {
  /** The card's input name: a feature ref for online inputs. */
  name: string
  kind: 'online' | 'on_demand'
  /** The entity read (car id, zone id); null for on-demand inputs and when the origin is in no zone. */
  entity: string | null
  /** What the online store said; `computed` for on-demand inputs. */
  status: OnlineStatus | 'computed'
  action: FeatureAction
  /** The value the model got; null when refused. */
  value: number | null
  /** Event time of the stored value (epoch ms); null when missing or on-demand. */
  eventTime: number | null
  /** Age of the stored value when read (ms); null when missing or on-demand. */
  ageMs: number | null
}

/** Everything one leg's inputs come from. */
export interface LegSources {
  /** The car's values, aligned with `plan.carRefs`. */
  car: readonly OnlineFeatureValue[]
  /** The origin zone's values, aligned with `plan.zoneRefs`; undefined when the origin lies in no zone. */
  zone: readonly OnlineFeatureValue[] | undefined
  onDemand: Readonly<Record<string, number>>
}

export interface FilledLeg {
  features: FeatureReport[]
  /** Inputs whose policy refused a missing value: the leg cannot be scored. */
  refused: FeatureReport[]
  /** One sentence per defaulted input. */
  warnings: string[]
}

/**
 * Writes one leg's input row (model order) into `row` at `offset` and reports each input. A stored value is used
 * when present and not null; otherwise the input's policy decides: `default` feeds the card's default and adds a
 * warning, `refuse` marks the leg unscorable. The report always says which happened.
 *
 * @example
 * const leg = fillLeg(plan, { car, zone, onDemand }, rows, 0)
 * if (leg.refused.length > 0) throw featureUnavailable(leg.refused)
 */
export function fillLeg(
  plan: FeaturePlan,
  sources: LegSources,
  row: Float32Array,
  offset: number,
): FilledLeg {
  const features: FeatureReport[] = []
  const refused: FeatureReport[] = []
  const warnings: string[] = []
  plan.columns.forEach((column, i) => {
    let report: FeatureReport
    let stored: number | null
    let why: string
    if (column.source === 'on_demand') {
      const value = sources.onDemand[column.name]
      stored = value !== undefined && Number.isFinite(value) ? value : null
      why = 'could not be computed'
      report = {
        name: column.name,
        kind: 'on_demand',
        entity: null,
        status: 'computed',
        action: 'used',
        value: stored,
        eventTime: null,
        ageMs: null,
      }
    } else {
      const values = column.source === 'car' ? sources.car : sources.zone
      const read = values?.[column.index]
      stored = read?.status === 'present' ? read.value : null
      why =
        read === undefined
          ? 'has no zone to read (the origin lies outside the city)'
          : read.status === 'present'
            ? `is stored as null for ${read.entity}`
            : read.status === 'expired'
              ? `is expired for ${read.entity} (age ${Math.round((read.ageMs ?? 0) / 1000)} s)`
              : `is missing for ${read.entity}`
      report = {
        name: column.name,
        kind: 'online',
        entity: read?.entity ?? null,
        status: read?.status ?? 'missing',
        action: 'used',
        value: stored,
        eventTime: read?.eventTime ?? null,
        ageMs: read?.ageMs ?? null,
      }
    }
    if (stored === null) {
      if (column.policy === 'default' && column.fallback !== undefined) {
        report.action = 'defaulted'
        report.value = column.fallback
        warnings.push(`${column.name} ${why}: used the default ${column.fallback}`)
      } else {
        report.action = 'refused'
        refused.push(report)
      }
    }
    row[offset + i] = report.value ?? Number.NaN
    features.push(report)
  })
  return { features, refused, warnings }
}
