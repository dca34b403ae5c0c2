import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { ClickHouseClient } from '@clickhouse/client'
import { isFreshetError } from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHDB_OWNER_FILE,
  type ClickHouseClientOptions,
  createClickHouseClient,
  describeClickHouse,
} from './client.js'

// Set CLICKHOUSE_URL to run the same behaviour against a real server instead of embedded chDB.
const serverUrl = process.env.CLICKHOUSE_URL
const mode = serverUrl === undefined ? 'embedded' : 'server'
const CLIENT_MODULE = fileURLToPath(new URL('./client.ts', import.meta.url))
const SINKS_DIR = fileURLToPath(new URL('../..', import.meta.url))

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}) {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<T>()
}

/** Opens `dataDir` in a separate Node process, as another Freshet deployable would. */
async function openInChild(dataDir: string): Promise<Record<string, unknown>> {
  const script = `
    const { readFileSync, existsSync } = await import('node:fs')
    const [modulePath, dataDir] = process.argv.slice(1)
    const { createClickHouseClient } = await import(modulePath)
    try {
      const client = createClickHouseClient({ dataDir })
      await client.query({ query: 'SELECT 1' })
      const owner = Number(readFileSync(dataDir + '/${CHDB_OWNER_FILE}', 'utf8'))
      await client.close()
      const ownerFileLeft = existsSync(dataDir + '/${CHDB_OWNER_FILE}')
      console.log(JSON.stringify({ opened: true, ownedBySelf: owner === process.pid, ownerFileLeft }))
    } catch (err) {
      console.log(JSON.stringify({ opened: false, code: err.code, message: err.message }))
    }`
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, CLIENT_MODULE, dataDir],
    { cwd: SINKS_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk) => {
    out += chunk
  })
  child.stderr.on('data', (chunk) => {
    err += chunk
  })
  await new Promise((done) => child.on('close', done))
  const line = out.trim().split('\n').at(-1)
  if (!line) throw new Error(`child printed nothing; stderr: ${err}`)
  return JSON.parse(line) as Record<string, unknown>
}

describe(`createClickHouseClient against ${mode === 'server' ? serverUrl : 'embedded chDB'}`, () => {
  const database = mode === 'server' ? `freshet_test_${process.pid}_${Date.now()}` : 'freshet_test'
  let dataDir = ''
  let options: ClickHouseClientOptions = {}
  let client: ClickHouseClient

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'freshet-chdb-'))
    if (serverUrl !== undefined) {
      // A server does not create the client's database on demand, unlike embedded mode.
      const admin = createClickHouseClient({ url: serverUrl })
      await admin.command({ query: 'CREATE DATABASE {db:Identifier}', query_params: { db: database } })
      await admin.close()
      options = { url: serverUrl, database }
    } else {
      options = { dataDir: join(dataDir, 'chdb'), database }
    }
    client = createClickHouseClient(options)
  })

  afterAll(async () => {
    if (serverUrl !== undefined) {
      await client?.command({
        query: 'DROP DATABASE IF EXISTS {db:Identifier}',
        query_params: { db: database },
      })
    }
    await client?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('returns the newest version per key with SELECT ... FINAL on ReplacingMergeTree', async () => {
    await client.command({
      query: `CREATE TABLE feature_rows (entity String, ts DateTime64(3), speed Float64, version UInt64)
              ENGINE = ReplacingMergeTree(version) ORDER BY (entity, ts)`,
    })
    const row = (entity: string, speed: number, version: number) => ({ entity, ts: 1_000, speed, version })
    await client.insert({ table: 'feature_rows', format: 'JSONEachRow', values: [row('car-1', 10, 1)] })
    // Replays deliver the same row again, sometimes older versions after newer ones.
    await client.insert({
      table: 'feature_rows',
      format: 'JSONEachRow',
      values: [row('car-1', 12, 3), row('car-2', 50, 1)],
    })
    await client.insert({
      table: 'feature_rows',
      format: 'JSONEachRow',
      values: [row('car-1', 11, 2), row('car-2', 50, 1)],
    })

    const stored = await rows<{ n: string }>(client, 'SELECT count() AS n FROM feature_rows')
    expect(Number(stored[0]?.n)).toBeGreaterThan(2) // parts are not merged yet
    const latest = await rows(client, 'SELECT entity, speed, version FROM feature_rows FINAL ORDER BY entity')
    expect(latest).toEqual([
      { entity: 'car-1', speed: 12, version: '3' }, // 64-bit integers come quoted in both modes
      { entity: 'car-2', speed: 50, version: '1' },
    ])
  })

  it('drops a retried insert with the same insert_deduplication_token', async () => {
    // Non-replicated MergeTree only deduplicates inserts with a deduplication window (server and chDB alike).
    await client.command({
      query: `CREATE TABLE dedup_rows (id String, x UInt32) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    })
    const insert = (values: object[], token?: string) =>
      client.insert({
        table: 'dedup_rows',
        format: 'JSONEachRow',
        values,
        ...(token === undefined ? {} : { clickhouse_settings: { insert_deduplication_token: token } }),
      })
    await insert([{ id: 'a', x: 1 }], 'batch-1')
    await insert([{ id: 'a', x: 1 }], 'batch-1') // a retry after a timeout
    await insert([{ id: 'a', x: 1 }], 'batch-2') // same data, different batch: kept
    // Would be dropped if the previous token stuck to the session (chDB applies settings with SET).
    await insert([{ id: 'b', x: 2 }])

    const stored = await rows(client, 'SELECT id, count() AS n FROM dedup_rows GROUP BY id ORDER BY id')
    expect(stored).toEqual([
      { id: 'a', n: '2' },
      { id: 'b', n: '1' },
    ])
    const token = await rows(client, "SELECT getSetting('insert_deduplication_token') AS t")
    expect(token).toEqual([{ t: '' }])
  })

  it('does not deduplicate by token without the table deduplication window', async () => {
    await client.command({ query: 'CREATE TABLE plain_rows (id String) ENGINE = MergeTree ORDER BY id' })
    for (let i = 0; i < 2; i++) {
      await client.insert({
        table: 'plain_rows',
        format: 'JSONEachRow',
        values: [{ id: 'a' }],
        clickhouse_settings: { insert_deduplication_token: 'same' },
      })
    }
    expect(await rows(client, 'SELECT count() AS n FROM plain_rows')).toEqual([{ n: '2' }])
  })

  it('joins labels to the feature values as of each label time (ASOF LEFT JOIN)', async () => {
    await client.command({
      query:
        'CREATE TABLE features (entity String, ts DateTime64(3), speed Float64) ENGINE = MergeTree ORDER BY (entity, ts)',
    })
    await client.command({
      query:
        'CREATE TABLE labels (entity String, ts DateTime64(3), y Float64) ENGINE = MergeTree ORDER BY (entity, ts)',
    })
    await client.insert({
      table: 'features',
      format: 'JSONEachRow',
      values: [
        { entity: 'car-1', ts: 1_000, speed: 10 },
        { entity: 'car-1', ts: 2_000, speed: 20 },
        { entity: 'car-2', ts: 5_000, speed: 50 }, // after car-2's label: must not leak into it
      ],
    })
    await client.insert({
      table: 'labels',
      format: 'JSONEachRow',
      values: [
        { entity: 'car-1', ts: 1_500, y: 1 },
        { entity: 'car-1', ts: 2_000, y: 2 },
        { entity: 'car-2', ts: 4_000, y: 3 },
      ],
    })
    // label_ts is an Int64, so it comes quoted.
    const query = `
      SELECT l.entity AS entity, toUnixTimestamp64Milli(l.ts) AS label_ts, f.speed AS speed
      FROM labels AS l ASOF LEFT JOIN features AS f ON l.entity = f.entity AND f.ts <= l.ts
      ORDER BY entity, label_ts`
    const withNulls = await client.query({
      query,
      format: 'JSONEachRow',
      clickhouse_settings: { join_use_nulls: 1 },
    })
    expect(await withNulls.json()).toEqual([
      { entity: 'car-1', label_ts: '1500', speed: 10 },
      { entity: 'car-1', label_ts: '2000', speed: 20 },
      { entity: 'car-2', label_ts: '4000', speed: null },
    ])
    // Without the setting a missing match is the column default; the previous call's setting must not stick.
    expect((await rows<{ speed: number }>(client, query)).map((r) => r.speed)).toEqual([10, 20, 0])
  })

  it('binds {name:Type} query parameters as values, never as SQL', async () => {
    const hostile = "car-1' OR 1 = 1 --"
    const none = await rows(client, 'SELECT count() AS n FROM features WHERE entity = {entity:String}', {
      entity: hostile,
    })
    expect(none).toEqual([{ n: '0' }])
    const some = await rows(
      client,
      `SELECT entity, count() AS n FROM features
       WHERE entity IN {entities:Array(String)} AND ts >= fromUnixTimestamp64Milli({since:Int64})
       GROUP BY entity ORDER BY entity`,
      { entities: ['car-1', 'car-2', hostile], since: 2_000 },
    )
    expect(some).toEqual([
      { entity: 'car-1', n: '1' },
      { entity: 'car-2', n: '1' },
    ])
  })

  it('inserts a binary body (Parquet) byte for byte, through insert as through exec', async () => {
    await client.command({
      query: `CREATE TABLE parquet_rows (id UInt32, name String, score Nullable(Float64)) ENGINE = MergeTree ORDER BY id`,
    })
    // Bytes that are no valid UTF-8: embedded mode must not pass them through a JS string.
    const source = `SELECT number AS id, concat('ü', toString(number)) AS name, if(number % 3 = 0, NULL, number / 7) AS score
      FROM numbers(1000) FORMAT Parquet`
    const parquet = Buffer.concat(await (await client.exec({ query: source })).stream.toArray())
    await client.insert({
      table: 'parquet_rows',
      format: 'Parquet',
      values: Readable.from([parquet], { objectMode: false }),
    })
    const { stream } = await client.exec({
      query: 'INSERT INTO parquet_rows FORMAT Parquet',
      values: Readable.from([parquet]),
    })
    stream.resume()
    const summary = await rows<{ n: string; ids: string; nulls: string; text: string }>(
      client,
      `SELECT count() AS n, sum(id) AS ids, countIf(score IS NULL) AS nulls, min(name) AS text FROM parquet_rows`,
    )
    expect(summary).toEqual([{ n: '2000', ids: String(2 * 499_500), nulls: '668', text: 'ü0' }])
  })

  it.skipIf(mode === 'server')('refuses a binary insert with inline SETTINGS in embedded mode', async () => {
    const attempt = client.exec({
      query: 'INSERT INTO parquet_rows SETTINGS async_insert = 0 FORMAT Parquet',
      values: Readable.from([Buffer.from([0xff])]),
    })
    await expect(attempt).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })

  describe.skipIf(mode === 'server')('embedded data dir ownership', () => {
    it('refuses a second process on a data dir this process holds', async () => {
      const result = await openInChild(options.dataDir!)
      expect(result).toMatchObject({ opened: false, code: 'STORE_UNAVAILABLE' })
      expect(String(result.message)).toContain(`in use by process ${process.pid}`)
    }, 60_000)

    it('takes over a data dir whose owner died without closing, and releases it on close', async () => {
      const orphan = join(dataDir, 'orphan')
      const dead = spawn(process.execPath, ['-e', ''])
      await new Promise((done) => dead.on('close', done))
      await openInChild(orphan) // creates the dir
      await writeFile(join(orphan, CHDB_OWNER_FILE), `${dead.pid}\n`)
      expect(await openInChild(orphan)).toEqual({ opened: true, ownedBySelf: true, ownerFileLeft: false })
    }, 60_000)

    it('shares the data dir between clients of one process and keeps it until the last closes', async () => {
      const second = createClickHouseClient(options)
      expect(await rows(second, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
      await second.close()
      const owner = await readFile(join(options.dataDir!, CHDB_OWNER_FILE), 'utf8')
      expect(Number(owner)).toBe(process.pid)
      expect(await rows(client, 'SELECT 2 AS two')).toEqual([{ two: 2 }])
    })

    it('refuses a second data dir in the same process (chDB binds one per process)', () => {
      const other = join(dataDir, 'other')
      let error: unknown
      try {
        createClickHouseClient({ dataDir: other })
      } catch (err) {
        error = err
      }
      expect(isFreshetError(error) && error.code).toBe('STORE_UNAVAILABLE')
      expect(existsSync(join(other, CHDB_OWNER_FILE))).toBe(false)
    })
  })
})

describe('describeClickHouse', () => {
  it('names the target without any credential', () => {
    const target = describeClickHouse({
      url: 'https://reader:hunter2@ch.example:8443/?password=hunter2',
      password: 'hunter2',
      database: 'freshet',
    })
    expect(target).toEqual({
      mode: 'server',
      url: 'https://ch.example:8443/',
      username: 'reader',
      database: 'freshet',
    })
    expect(JSON.stringify(target)).not.toContain('hunter2')
  })

  it('defaults to embedded chDB under the working directory', () => {
    expect(describeClickHouse()).toEqual({
      mode: 'embedded',
      engine: 'chdb',
      dataDir: join(process.cwd(), '.freshet', 'chdb'),
      database: 'default',
    })
  })
})
