import type { ClickHouseClient } from '@clickhouse/client'
import { isFreshetError } from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseClient } from './client.js'
import { quoteIdentifier } from './identifiers.js'
import { MIGRATIONS_TABLE, offlineStoreMigrations, runMigrations } from './migrations.js'
import { carSpeed, zoneLoad } from './testing/fixtures.js'
import { openTestTarget, type TestTarget } from './testing/test-target.js'
import { createClickHouseOfflineWriter } from './writer.js'

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}) {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<T>()
}

async function thrown(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('offline store migrations', () => {
  let target: TestTarget
  beforeAll(async () => {
    target = await openTestTarget('migrations')
  })
  afterAll(async () => {
    await target?.cleanup()
  })

  it('applies each migration once: a second run skips them all', async () => {
    const client = createClickHouseClient(await target.options('twice'))
    try {
      const migrations = offlineStoreMigrations([carSpeed, zoneLoad])
      const first = await runMigrations(client, migrations)
      expect(first).toEqual({ applied: migrations.map((m) => m.id), skipped: [] })
      const second = await runMigrations(client, migrations)
      expect(second).toEqual({ applied: [], skipped: migrations.map((m) => m.id) })

      const recorded = await rows<{ id: string; n: string }>(
        client,
        `SELECT id, count() AS n FROM ${MIGRATIONS_TABLE} GROUP BY id ORDER BY id`,
      )
      expect(recorded).toEqual(
        migrations.map((m) => ({ id: m.id, n: '1' })).sort((a, b) => a.id.localeCompare(b.id)),
      )
    } finally {
      await client.close()
    }
  })

  it('derives a Nullable(Float64) column per output feature and a latest view per view version', async () => {
    const client = createClickHouseClient(await target.options('schema'))
    try {
      await runMigrations(client, offlineStoreMigrations([carSpeed]))
      const columns = await rows<{ name: string; type: string }>(
        client,
        `SELECT name, type FROM system.columns
         WHERE database = currentDatabase() AND table = 'features_car_speed_v1' ORDER BY position`,
      )
      const features = columns.filter((c) => c.type === 'Nullable(Float64)').map((c) => c.name)
      expect(features).toEqual(carSpeed.outputs.map((o) => o.name))
      const engines = await rows(
        client,
        `SELECT name, engine, sorting_key FROM system.tables WHERE database = currentDatabase()
         AND name LIKE 'features%car_speed_v1' ORDER BY name`,
      )
      expect(engines).toEqual([
        {
          name: 'features_car_speed_v1',
          engine: 'ReplacingMergeTree',
          sorting_key: 'entity, event_time, id',
        },
        { name: 'features_latest_car_speed_v1', engine: 'View', sorting_key: '' },
      ])
    } finally {
      await client.close()
    }
  })

  it('lets two writers open the same store at the same time', async () => {
    const options = await target.options('race')
    const [a, b] = await Promise.all([
      createClickHouseOfflineWriter({ ...options, views: [carSpeed, zoneLoad] }),
      createClickHouseOfflineWriter({ ...options, views: [zoneLoad, carSpeed] }),
    ])
    await Promise.all([a.close(), b.close()])
    const client = createClickHouseClient(options)
    try {
      const ids = await rows<{ id: string }>(
        client,
        `SELECT DISTINCT id FROM ${MIGRATIONS_TABLE} ORDER BY id`,
      )
      expect(ids.map((r) => r.id)).toEqual(
        offlineStoreMigrations([carSpeed, zoneLoad])
          .map((m) => m.id)
          .sort(),
      )
      // Both recorded what they ran; the store is consistent and a third open applies nothing.
      const again = await runMigrations(client, offlineStoreMigrations([carSpeed, zoneLoad]))
      expect(again.applied).toEqual([])
    } finally {
      await client.close()
    }
  })

  it('refuses a view whose outputs changed without a new version', async () => {
    const client = createClickHouseClient(await target.options('drift'))
    try {
      await runMigrations(client, offlineStoreMigrations([carSpeed]))
      const changed = { ...carSpeed, outputs: carSpeed.outputs.slice(1) }
      const error = await thrown(() => runMigrations(client, offlineStoreMigrations([changed])))
      expect(isFreshetError(error) && error.code).toBe('CONFIG_INVALID')
      expect(String((error as Error).message)).toContain('features_car_speed_v1/0001_table')
    } finally {
      await client.close()
    }
  })

  it('refuses identifiers it cannot quote safely', () => {
    expect(quoteIdentifier('speed_kmh_mean_5m')).toBe('`speed_kmh_mean_5m`')
    for (const bad of ['a`b', 'x; DROP TABLE y', '', 'car-motion', 'é']) {
      let error: unknown
      try {
        quoteIdentifier(bad)
      } catch (err) {
        error = err
      }
      expect(isFreshetError(error) && error.code).toBe('CONFIG_INVALID')
    }
    const hostile = { ...carSpeed, outputs: [{ ...carSpeed.outputs[0]!, name: 'x` Int8) ENGINE = Log --' }] }
    expect(() => offlineStoreMigrations([hostile])).toThrow(/not a safe ClickHouse identifier/)
  })
})
