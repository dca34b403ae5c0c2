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
 * A record rewritten under its id counts in its latest ingested version (what `FINAL` reads).
 *
 * ASOF JOIN matches on one inequality, so each window's records are first reduced to a *served timeline*:
 * with known_at = max(event_time, available_at), a record stays only if every newer record (by event_time, id)
 * became known strictly later. A late arrival older than something already known never stays, and of records
 * known at the same instant only the newest does, so known_at is unique per entity on the timeline and its
 * latest entry with known_at ≤ t is exactly the answer above: `ASOF LEFT JOIN … known_at <= t`. Records older
 * than the earliest label minus the ttl, or known after the latest label, cannot change any answer and are
 * filtered out first.
 *
 * Deduplicating (`FINAL`) and the timeline (a sort and a window function) cost more than the join itself, and
 * most entities need neither: when, ordered by event time, both event time and known_at strictly increase,
 * every id has one version and every record stays. So each window first checks that per entity on just those
 * two times ({@link inOrder}); entities that pass join their rows as stored, the others (a rewrite not merged
 * yet, a late arrival, a tie) go through `FINAL` and one running min in reverse key order. The reader runs the
 * query with `enable_shared_storage_snapshot_in_query`, so the check and both reads see the same parts.
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
  const hi = "fromUnixTimestamp64Milli({hi:Int64}, 'UTC')"
  // Scalar subqueries, each run once per query (an `IN (subquery)` runs again wherever it appears).
  const scalars: string[] = []
  const labelKeys = new Map<string, string>()
  const keysOf = (key: string) => {
    let alias = labelKeys.get(key)
    if (alias === undefined) {
      alias = `label_keys_${labelKeys.size}`
      scalars.push(`(SELECT groupUniqArray(${quoteIdentifier(key)}) FROM ${l}) AS ${alias}`)
      labelKeys.set(key, alias)
    }
    return alias
  }
  const outputs: { index: number; expr: string }[] = []
  const joins = groups.map((g, i) => {
    const j = `j${i}`
    const key = labels.keyFor(g.table.view.entity)
    const table = quoteIdentifier(g.table.table)
    params[`w_${i}`] = g.window
    params[`lo_${i}`] = labels.minTs - g.table.view.ttlMs
    params[`ttl_${i}`] = g.table.view.ttlMs
    for (const f of g.features) {
      outputs.push({
        index: f.index,
        expr: `if(toUnixTimestamp64Milli(${ts}) - toUnixTimestamp64Milli(${j}.event_time) <= {ttl_${i}:Int64}, ${j}.${quoteIdentifier(f.ref.feature)}, NULL) AS ${refColumn(f.ref)}`,
      })
    }
    const columns = ['event_time', ...g.features.map((f) => quoteIdentifier(f.ref.feature))].join(', ')
    // Only columns every version of an id shares (window, entity, event time): the same rows with or without FINAL.
    const records = `window_label = {w_${i}:String}
      AND entity IN (SELECT arrayJoin(${keysOf(key)}))
      AND event_time >= fromUnixTimestamp64Milli({lo_${i}:Int64}, 'UTC') AND event_time <= ${hi}`
    const unsorted = `unsorted_${i}`
    scalars.push(`(SELECT groupArray(entity) FROM (
    SELECT entity FROM ${table} WHERE ${records} GROUP BY entity HAVING NOT ${inOrder}
  )) AS ${unsorted}`)
    return `ASOF LEFT JOIN (
  SELECT entity, ${KNOWN_AT} AS known_at, ${columns} FROM ${table}
  WHERE ${records}
    AND entity NOT IN (SELECT arrayJoin(${unsorted})) AND ${KNOWN_AT} <= ${hi}
  UNION ALL
  SELECT entity, known_at, ${columns} FROM (
    SELECT entity, ${KNOWN_AT} AS known_at, ${columns},
      min(toNullable(known_at)) OVER (PARTITION BY entity ORDER BY event_time DESC, id DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newer_known_at
    FROM ${table} FINAL
    WHERE ${records}
      AND entity IN (SELECT arrayJoin(${unsorted})) AND ${KNOWN_AT} <= ${hi}
  )
  WHERE isNull(newer_known_at) OR newer_known_at > known_at
) AS ${j} ON l.${quoteIdentifier(key)} = ${j}.entity AND ${j}.known_at <= ${ts}`
  })
  const labelColumns = labels.columns.map((c) => `l.${quoteIdentifier(c.name)} AS ${quoteIdentifier(c.name)}`)
  const select = [
    `toUnixTimestamp64Milli(${ts}) AS \`timestamp\``,
    ...labelColumns,
    ...outputs.sort((a, b) => a.index - b.index).map((o) => o.expr),
  ]
  const sql = `${scalars.length > 0 ? `WITH\n  ${scalars.join(',\n  ')}\n` : ''}SELECT
  ${select.join(',\n  ')}
FROM ${l} AS l
${joins.join('\n')}
ORDER BY ${labels.orderBy}`
  return { sql, params }
}

const KNOWN_AT = 'greatest(event_time, available_at)'

/**
 * An aggregate over one entity's rows of a window, true when its served timeline is all of them: ordered by
 * event time, event time strictly increases (no id has two versions, no two records tie) and so does known_at
 * (no record became known after a newer one). Plain Int64 arrays: sorting an array of tuples is slower.
 */
const inOrder = (() => {
  const eventTimes = 'groupArray(toUnixTimestamp64Milli(event_time))'
  const knownAts = `groupArray(toUnixTimestamp64Milli(${KNOWN_AT}))`
  const rising = (sorted: string) => `arrayMin(arrayPopFront(arrayDifference(${sorted}))) > 0`
  return `(count() < 2 OR (${rising(`arraySort(${eventTimes})`)} AND ${rising(`arraySort((k, e) -> e, ${knownAts}, ${eventTimes})`)}))`
})()

/** The output column of a ref, `car_motion:v1:speed_kmh_mean_15m`, quoted (the ref grammar has no backtick). */
export function refColumn(ref: FeatureRef): string {
  const name = formatFeatureRef(ref)
  if (parseFeatureRef(name) === undefined)
    throw new FreshetError('CONFIG_INVALID', `not a feature ref: ${name}`)
  return `\`${name}\``
}
