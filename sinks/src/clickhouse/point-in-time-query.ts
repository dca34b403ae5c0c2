import { type FeatureRef, FreshetError, formatFeatureRef, parseFeatureRef } from '@freshet/feature-store'
import type { FeatureTable } from './feature-table.js'
import { quoteIdentifier } from './identifiers.js'
import { type LoadedLabels, TS_COLUMN } from './labels.js'

/** The features of one (view version, window): one ASOF JOIN, since a record fills only its window's columns. */
export interface JoinGroup {
  table: FeatureTable
  window: string
  /** Requested features of this window, in request order. */
  features: { ref: FeatureRef; index: number }[]
}

/**
 * Groups requested refs by the (table, window) they are joined from; fails on an unknown view or feature and
 * on a ref asked for twice (its output column would be ambiguous).
 *
 * @example
 * groupRefs(tables, [{ view: 'car_motion', version: 1, feature: 'speed_kmh_mean_5m' }])
 */
export function groupRefs(
  tables: ReadonlyMap<string, FeatureTable>,
  refs: readonly FeatureRef[],
): JoinGroup[] {
  const groups = new Map<string, JoinGroup>()
  const seen = new Set<string>()
  refs.forEach((ref, index) => {
    const name = formatFeatureRef(ref)
    if (seen.has(name)) throw new FreshetError('CONFIG_INVALID', `feature ${name} is requested twice`)
    seen.add(name)
    const table = tables.get(`${ref.view}:v${ref.version}`)
    const window = table?.windowOf.get(ref.feature)
    if (table === undefined || window === undefined) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `unknown feature ${name} (not an output of a known view version)`,
      )
    }
    const key = `${table.table}\u0000${window}`
    const group = groups.get(key) ?? { table, window, features: [] }
    group.features.push({ ref, index })
    groups.set(key, group)
  })
  return [...groups.values()]
}

/**
 * The point-in-time join of labels (temporary table `labelsTable`, alias `l`) with the requested features, as
 * one ClickHouse query. For each label and feature it returns the value the online store would have served at
 * the label time: among the records of that entity and window with event_time ≤ t and available_at ≤ t, the
 * newest by (event_time, id); null when there is none or it is older than the view's ttl (t − event_time > ttl).
 *
 * ASOF JOIN matches on one inequality, so each window's records are first reduced to a *served timeline*:
 * with known_at = max(event_time, available_at), a record stays only if every newer record (by event_time, id)
 * became known strictly later. A late arrival older than something already known never stays, and of records
 * known at the same instant only the newest does, so known_at is unique per entity on the timeline and its
 * latest entry with known_at ≤ t is exactly the answer above: `ASOF LEFT JOIN … known_at <= t`. One window
 * function in reverse key order computes it (a running min, no second sort). Records older than the earliest
 * label minus the ttl, or known after the latest label, cannot change any answer and are filtered out first.
 *
 * @example
 * const { sql, params } = pointInTimeQuery('freshet_labels_ab12', labels, groups)
 * await client.exec({ query: `${sql} FORMAT Parquet`, query_params: params, session_id })
 */
export function pointInTimeQuery(
  labelsTable: string,
  labels: LoadedLabels,
  groups: readonly JoinGroup[],
): { sql: string; params: Record<string, unknown> } {
  const l = quoteIdentifier(labelsTable)
  const ts = `l.${quoteIdentifier(TS_COLUMN)}`
  const params: Record<string, unknown> = { hi: labels.maxTs }
  const outputs: { index: number; expr: string }[] = []
  const joins = groups.map((g, i) => {
    const j = `j${i}`
    const key = quoteIdentifier(labels.keyFor(g.table.view.entity))
    params[`w_${i}`] = g.window
    params[`lo_${i}`] = labels.minTs - g.table.view.ttlMs
    params[`ttl_${i}`] = g.table.view.ttlMs
    const columns = g.features.map((f) => quoteIdentifier(f.ref.feature))
    for (const f of g.features) {
      outputs.push({
        index: f.index,
        expr: `if(toUnixTimestamp64Milli(${ts}) - toUnixTimestamp64Milli(${j}.event_time) <= {ttl_${i}:Int64}, ${j}.${quoteIdentifier(f.ref.feature)}, NULL) AS ${refColumn(f.ref)}`,
      })
    }
    const cols = columns.length > 0 ? `, ${columns.join(', ')}` : ''
    return `ASOF LEFT JOIN (
  SELECT entity, known_at, event_time${cols} FROM (
    SELECT entity, event_time${cols}, greatest(event_time, available_at) AS known_at,
      min(toNullable(known_at)) OVER (PARTITION BY entity ORDER BY event_time DESC, id DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newer_known_at
    FROM ${quoteIdentifier(g.table.table)} FINAL
    WHERE window_label = {w_${i}:String}
      AND entity IN (SELECT ${key} FROM ${l})
      AND event_time >= fromUnixTimestamp64Milli({lo_${i}:Int64}, 'UTC')
      AND greatest(event_time, available_at) <= fromUnixTimestamp64Milli({hi:Int64}, 'UTC')
  )
  WHERE isNull(newer_known_at) OR newer_known_at > known_at
) AS ${j} ON l.${key} = ${j}.entity AND ${j}.known_at <= ${ts}`
  })
  const labelColumns = labels.columns.map((c) => `l.${quoteIdentifier(c.name)} AS ${quoteIdentifier(c.name)}`)
  const select = [
    `toUnixTimestamp64Milli(${ts}) AS \`timestamp\``,
    ...labelColumns,
    ...outputs.sort((a, b) => a.index - b.index).map((o) => o.expr),
  ]
  const sql = `SELECT
  ${select.join(',\n  ')}
FROM ${l} AS l
${joins.join('\n')}
ORDER BY ${labels.orderBy}`
  return { sql, params }
}

/** The output column of a ref, `car_motion:v1:speed_kmh_mean_15m`, quoted (the ref grammar has no backtick). */
export function refColumn(ref: FeatureRef): string {
  const name = formatFeatureRef(ref)
  if (parseFeatureRef(name) === undefined)
    throw new FreshetError('CONFIG_INVALID', `not a feature ref: ${name}`)
  return `\`${name}\``
}
