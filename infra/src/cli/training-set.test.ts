import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type FeatureRecord, featureRecordId } from '@freshet/feature-store'
import { carMotion, featureViews } from '@freshet/pipelines'
import {
  createClickHouseClient,
  createClickHouseOfflineReader,
  createClickHouseOfflineWriter,
  createOfflineApi,
} from '@freshet/sinks'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCliLogger } from '../cli-log.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const CLI = join(REPO, 'infra/src/cli/training-set.ts')
const TSX = join(REPO, 'node_modules/.bin/tsx')
const MIN = 60_000
const T0 = Date.UTC(2025, 10, 20, 8)
const MEAN = 'car_motion:v1:speed_kmh_mean_5m'
const MAX = 'car_motion:v1:speed_kmh_max_5m'

/** A final 5-minute car_motion record ending at `end`, servable from then on. */
function record(entity: string, end: number, mean: number, max: number): FeatureRecord {
  const start = end - 5 * MIN
  return {
    id: featureRecordId(carMotion.ref, entity, '5m', start, end),
    view: carMotion.name,
    version: carMotion.version,
    entity,
    window: '5m',
    windowStart: start,
    windowEnd: end,
    eventTime: end,
    watermark: end,
    processedAt: end,
    final: true,
    features: { speed_kmh_mean_5m: mean, speed_kmh_max_5m: max, speed_kmh_stddev_5m: 1 },
  }
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

describe('freshet training-set', () => {
  let dir: string
  let dataDir: string
  let labelsCsv: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshet-training-set-'))
    dataDir = join(dir, 'chdb')
    const writer = await createClickHouseOfflineWriter({ dataDir, views: featureViews, maxDelayMs: 0 })
    try {
      await writer.write([record('car-1', T0 + 5 * MIN, 31.5, 48), record('car-2', T0 + 5 * MIN, 12, 20)])
    } finally {
      await writer.close() // the CLI's embedded mode needs the dir free
    }
    labelsCsv = join(dir, 'rides.csv')
    await writeFile(
      labelsCsv,
      [
        'timestamp,car,eta_s,ride',
        `${T0 + 4 * MIN},car-1,300,"0001"`,
        `${new Date(T0 + 6 * MIN).toISOString()},car-1,412,"0002"`,
        `${T0 + 6 * MIN},car-2,,"0003"`,
      ].join('\n'),
    )
  })
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('writes a point-in-time CSV from a CSV labels file, opening the chDB dir itself', async () => {
    const out = join(dir, 'train.csv')
    const run = await cli([
      '--labels',
      labelsCsv,
      '--features',
      `${MEAN},${MAX}`,
      '--out',
      out,
      '--data-dir',
      dataDir,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      new RegExp(`^wrote 3 rows \\(.+ KiB\\) to ${out} in \\d+\\.\\ds \\(embedded\\)\\n$`),
    )
    expect((await readFile(out, 'utf8')).trimEnd().split('\n')).toEqual([
      `"timestamp","car","eta_s","ride","${MEAN}","${MAX}"`,
      `${T0 + 4 * MIN},"car-1",300,"0001",,`, // before the first window closed
      `${T0 + 6 * MIN},"car-1",412,"0002",31.5,48`,
      `${T0 + 6 * MIN},"car-2",,"0003",12,20`,
    ])
  })

  it('tells the user to pass --url when another process owns the chDB dir, and writes nothing', async () => {
    const owner = await createClickHouseOfflineReader({ dataDir, views: featureViews })
    try {
      const out = join(dir, 'owned.csv')
      const run = await cli(['--labels', labelsCsv, '--features', MEAN, '--out', out, '--data-dir', dataDir])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`is in use by process ${process.pid}`)
      expect(run.stderr).toContain('pass --url http://<host>:<port>')
      expect(existsSync(out)).toBe(false)
    } finally {
      await owner.close()
    }
  })

  it('asks the API of the owning process with --url, converting Parquet labels itself', async () => {
    const key = 'cli-test-key-0123456789'
    const reader = await createClickHouseOfflineReader({ dataDir, views: featureViews })
    const client = createClickHouseClient({ dataDir })
    const app = createOfflineApi({
      reader,
      views: featureViews,
      apiKeys: [key],
      logger: createCliLogger('warn', false),
    })
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    try {
      await new Promise((ready) => server.once('listening', ready))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      // Labels as pandas writes them: microsecond timestamps and its index column.
      const parquet = await client.exec({
        query: `SELECT toDateTime64(fromUnixTimestamp64Milli(toInt64({t:Int64}) + number * 60000, 'UTC'), 6, 'UTC') AS timestamp,
            'car-1' AS car, toInt64(400 + number) AS eta_s, number AS __index_level_0__
          FROM numbers(3) FORMAT Parquet`,
        query_params: { t: T0 + 4 * MIN },
      })
      const chunks: Buffer[] = []
      for await (const chunk of parquet.stream) chunks.push(chunk as Buffer)
      const labels = join(dir, 'rides.parquet')
      await writeFile(labels, Buffer.concat(chunks))

      const out = join(dir, 'train.parquet')
      const args = ['--labels', labels, '--features', 'car_motion:v1', '--out', out, '--url', url]
      const run = await cli(args, { FRESHET_API_KEY: key })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^wrote 3 rows .* \(url\)\n$/)
      const bytes = await readFile(out)
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1')
      const read = await client.query({
        query: `SELECT timestamp, car, eta_s, \`${MEAN}\` AS mean FROM file({out:String}, Parquet) ORDER BY timestamp`,
        query_params: { out },
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      })
      expect(await read.json()).toEqual([
        { timestamp: T0 + 4 * MIN, car: 'car-1', eta_s: 400, mean: null },
        { timestamp: T0 + 5 * MIN, car: 'car-1', eta_s: 401, mean: 31.5 },
        { timestamp: T0 + 6 * MIN, car: 'car-1', eta_s: 402, mean: 31.5 },
      ])

      const refused = await cli([...args, '--api-key', 'not-the-key'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('answered 401: the API key is not valid')
    } finally {
      await new Promise((closed) => server.close(closed))
      await client.close()
      await reader.close()
    }
  })

  it('exits 2 with usage on a command line it cannot run', async () => {
    const run = await cli(['--labels', labelsCsv, '--features', MEAN, '--out', join(dir, 'train.xlsx')])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('name a .parquet, .csv or .jsonl file')
    expect(run.stderr).toContain('usage: freshet training-set')
  })
})
