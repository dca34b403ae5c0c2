import { type FeatureRef, FreshetError, formatFeatureRef, parseFeatureRef } from '@freshet/feature-store'
import type { OfflineViewDefinition } from '../clickhouse/feature-table.js'

const VIEW_REF = /^([a-z][a-z0-9_]*):v([1-9][0-9]*)$/

/**
 * Resolves what a user asks for into feature refs: `view:vN:feature` names one feature, `view:vN` every output
 * of that view version (in definition order). Duplicates are dropped, first mention wins, so `car_motion:v1`
 * next to one of its features is not an error. Every unknown or malformed entry is reported at once, in one
 * `CONFIG_INVALID` error, so a user fixes a request in one round.
 *
 * @example
 * resolveFeatureRefs(['car_motion:v1', 'zone_traffic:v1:car_id_distinct_15m'], featureViews)
 * // [{ view: 'car_motion', version: 1, feature: 'speed_kmh_mean_15m' }, …, { view: 'zone_traffic', … }]
 */
export function resolveFeatureRefs(
  requested: readonly string[],
  views: readonly OfflineViewDefinition[],
): FeatureRef[] {
  const byRef = new Map(views.map((v) => [v.ref, v]))
  const known = () => (views.length === 0 ? '(none)' : views.map((v) => v.ref).join(', '))
  const problems: string[] = []
  const refs = new Map<string, FeatureRef>()
  if (requested.length === 0) problems.push('name at least one feature (view:vN:feature) or view (view:vN)')
  for (const raw of requested) {
    const spec = raw.trim()
    const whole = VIEW_REF.exec(spec)
    const one = whole === null ? parseFeatureRef(spec) : undefined
    if (whole === null && one === undefined) {
      problems.push(`'${raw}' is not a feature ref: expected view:vN:feature or view:vN`)
      continue
    }
    const viewRef = whole === null ? `${one!.view}:v${one!.version}` : spec
    const view = byRef.get(viewRef)
    if (view === undefined) {
      problems.push(`unknown feature view ${viewRef} (known: ${known()})`)
      continue
    }
    const names = one === undefined ? view.outputs.map((o) => o.name) : [one.feature]
    for (const feature of names) {
      if (!view.outputs.some((o) => o.name === feature)) {
        problems.push(`${viewRef} has no feature '${feature}' (GET /v1/feature-views lists them)`)
        continue
      }
      const ref = { view: view.name, version: view.version, feature }
      const key = formatFeatureRef(ref)
      if (!refs.has(key)) refs.set(key, ref)
    }
  }
  if (problems.length > 0) throw new FreshetError('CONFIG_INVALID', `features: ${problems.join('; ')}`)
  return [...refs.values()]
}

/** What `GET /v1/feature-views` says of a view version. */
export interface FeatureViewListing {
  ref: string
  name: string
  version: number
  entity: string
  description?: string
  ttlMs: number
  features: { ref: string; name: string; window: string; aggregator: string }[]
}

/**
 * Describes views for clients choosing features: refs ready to paste into a training-set request.
 *
 * @example
 * listFeatureViews([carMotion])[0].features[0].ref // 'car_motion:v1:speed_kmh_mean_15m'
 */
export function listFeatureViews(
  views: readonly (OfflineViewDefinition & { description?: string })[],
): FeatureViewListing[] {
  return views.map((v) => ({
    ref: v.ref,
    name: v.name,
    version: v.version,
    entity: v.entity,
    ...(v.description === undefined ? {} : { description: v.description }),
    ttlMs: v.ttlMs,
    features: v.outputs.map((o) => ({
      ref: `${v.ref}:${o.name}`,
      name: o.name,
      window: o.window,
      aggregator: o.aggregator,
    })),
  }))
}
