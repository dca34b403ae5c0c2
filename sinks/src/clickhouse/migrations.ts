import { createHash } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import { FreshetError } from '@freshet/feature-store'
import {
  createLatestViewStatement,
  createTableStatement,
  type FeatureTable,
  featureTable,
  type OfflineViewDefinition,
} from './feature-table.js'
import { quoteIdentifier } from './identifiers.js'
import { storeError } from './store-error.js'

/** One versioned, idempotent schema change. `id` sorts within its chain: `features_car_motion_v1/0001_table`. */
export interface Migration {
  id: string
  description: string
  /** Each statement is safe to run again (IF NOT EXISTS): two processes racing both run it, harmlessly. */
  statements: readonly string[]
}

export interface MigrationReport {
  /** Migrations this call ran, in order. */
  applied: string[]
  /** Migrations already recorded with the same checksum. */
  skipped: string[]
}

/** Where applied migrations are recorded: id, checksum of its statements, when. */
export const MIGRATIONS_TABLE = 'freshet_migrations'

// ReplacingMergeTree by id: two processes that race record the same migration twice; merges fold the rows.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(MIGRATIONS_TABLE)} (
  id String,
  checksum String,
  description String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY id`

/**
 * The offline store's schema for these views, derived from their definitions: per view version a table
 * (a column per output feature) and a `features_latest_…` SQL view for analysts. A definition whose outputs
 * change without a version bump changes its table's checksum, which {@link runMigrations} refuses.
 *
 * @example
 * await runMigrations(client, offlineStoreMigrations([carMotion, carStatus]))
 */
export function offlineStoreMigrations(views: readonly OfflineViewDefinition[]): Migration[] {
  const refs = views.map((v) => v.ref)
  const duplicate = refs.find((r, i) => refs.indexOf(r) !== i)
  if (duplicate) throw new FreshetError('CONFIG_INVALID', `view ${duplicate} is listed twice`)
  return views.flatMap((view) => viewMigrations(featureTable(view)))
}

function viewMigrations(t: FeatureTable): Migration[] {
  return [
    {
      id: `${t.table}/0001_table`,
      description: `table of ${t.view.ref}: ${t.view.outputs.length} features`,
      statements: [createTableStatement(t)],
    },
    {
      id: `${t.table}/0002_latest_view`,
      description: `${t.latestView}: newest value of every feature per entity`,
      statements: [createLatestViewStatement(t)],
    },
  ]
}

/**
 * Applies each migration not yet recorded in `freshet_migrations`, once and in the given order. Safe when two
 * processes race (both may run a statement; every statement is idempotent). Throws `CONFIG_INVALID` when a
 * recorded migration's statements have changed since it ran: give the view a new version instead, and never
 * edit the SQL of a shipped migration (add a migration to the chain).
 *
 * @example
 * const { applied } = await runMigrations(client, offlineStoreMigrations(views))
 */
export async function runMigrations(
  client: ClickHouseClient,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  const report: MigrationReport = { applied: [], skipped: [] }
  try {
    await client.command({ query: CREATE_MIGRATIONS_TABLE })
  } catch (err) {
    throw storeError(err, `create ${MIGRATIONS_TABLE}`)
  }
  const recorded = await recordedChecksums(client)
  for (const migration of migrations) {
    const checksum = checksumOf(migration)
    const seen = recorded.get(migration.id)
    if (seen !== undefined) {
      if (!seen.includes(checksum)) {
        throw new FreshetError(
          'CONFIG_INVALID',
          `migration ${migration.id} was applied with other statements (checksum ${seen.join(', ')}, now ` +
            `${checksum}): a view's outputs changed without a new version. Bump the view's version.`,
        )
      }
      report.skipped.push(migration.id)
      continue
    }
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement })
      } catch (err) {
        throw storeError(err, `apply migration ${migration.id}`)
      }
    }
    try {
      await client.insert({
        table: quoteIdentifier(MIGRATIONS_TABLE),
        format: 'JSONEachRow',
        values: [{ id: migration.id, checksum, description: migration.description }],
      })
    } catch (err) {
      throw storeError(err, `record migration ${migration.id}`)
    }
    report.applied.push(migration.id)
  }
  return report
}

async function recordedChecksums(client: ClickHouseClient): Promise<Map<string, string[]>> {
  try {
    const result = await client.query({
      query: `SELECT id, groupUniqArray(checksum) AS checksums FROM ${quoteIdentifier(MIGRATIONS_TABLE)} GROUP BY id`,
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ id: string; checksums: string[] }>()
    return new Map(rows.map((r) => [r.id, r.checksums]))
  } catch (err) {
    throw storeError(err, `read ${MIGRATIONS_TABLE}`)
  }
}

function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.statements.join('\n;\n')).digest('hex').slice(0, 16)
}
