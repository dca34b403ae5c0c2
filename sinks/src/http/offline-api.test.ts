import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseClient } from '../clickhouse/client.js'
import { carSpeed, T0, zoneLoad } from '../clickhouse/testing/fixtures.js'
import {
  expected,
  jsonLines,
  KEY,
  labels,
  MEAN,
  MIN,
  type OfflineApiFixture,
  openOfflineApiFixture,
  ZONE,
} from './testing/offline-api-fixture.js'

const SUITE = 'offline-api'

describe('offline API: training sets over HTTP', () => {
  let api: OfflineApiFixture
  const post: OfflineApiFixture['post'] = (...args) => api.post(...args)
  const upload: OfflineApiFixture['upload'] = (...args) => api.upload(...args)

  beforeAll(async () => {
    api = await openOfflineApiFixture(SUITE)
  })
  afterAll(async () => {
    await api?.close()
  })

  it('answers /healthz without a key', async () => {
    const res = await api.app.request('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('lists the views with refs ready to request', async () => {
    const res = await api.app.request('/v1/feature-views', { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(200)
    const { views: listed } = (await res.json()) as {
      views: { ref: string; entity: string; features: { ref: string; window: string }[] }[]
    }
    expect(listed.map((v) => [v.ref, v.entity])).toEqual([
      ['car_speed:v1', 'car'],
      ['zone_load:v1', 'zone'],
    ])
    expect(listed[0]!.features.map((f) => f.ref)).toEqual(
      carSpeed.outputs.map((o) => `car_speed:v1:${o.name}`),
    )
    expect(listed[0]!.features[0]!.window).toBe('5m')
  })

  it('streams JSON labels as JSON Lines: each label joined to what was known at its time', async () => {
    const res = await post(
      { labels, features: [MEAN, ZONE], format: 'json' },
      { 'x-request-id': 'req-json-1' },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="training-set.jsonl"')
    expect(res.headers.get('freshet-rows')).toBe('3')
    expect(res.headers.get('x-request-id')).toBe('req-json-1')
    expect(jsonLines(await res.text())).toEqual(expected)
    const done = api.logs.find((l) => l.requestId === 'req-json-1' && l.msg === 'training set')
    expect(done).toMatchObject({ outcome: 'complete', rows: 3, format: 'json', features: 2 })
  })

  it('streams CSV with a header row, ISO timestamps accepted, missing values empty', async () => {
    const iso = labels.map((l) => ({ ...l, timestamp: new Date(l.timestamp).toISOString() }))
    const res = await post({ labels: iso, features: [MEAN, ZONE], format: 'csv' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="training-set.csv"')
    expect((await res.text()).trimEnd().split('\n')).toEqual([
      `"timestamp","car","zone","eta_s","${MEAN}","${ZONE}"`,
      `${T0 + 4 * MIN},"car-1","z-1",300,,`,
      `${T0 + 10 * MIN},"car-1","z-1",,30,`,
      `${T0 + 16 * MIN},"car-1","z-1",412,40,900`,
    ])
  })

  it('streams Parquet by default, which ClickHouse reads back row for row', async () => {
    const res = await post({ labels, features: ['car_speed:v1', 'zone_load:v1'] })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="training-set.parquet"')
    const parquet = Buffer.from(await res.arrayBuffer())
    expect(parquet.subarray(0, 4).toString('latin1')).toBe('PAR1')
    expect(parquet.subarray(-4).toString('latin1')).toBe('PAR1')
    const read = `SELECT count() AS n, sum(eta_s) AS eta, sum(\`${MEAN}\`) AS mean, sum(\`${ZONE}\`) AS zone`
    const client = createClickHouseClient(api.options)
    try {
      let summary: unknown
      if (api.target.mode === 'embedded') {
        const file = join(String(api.options.dataDir), '..', 'api-training.parquet')
        await writeFile(file, parquet)
        const result = await client.query({
          query: `${read} FROM file({file:String}, Parquet)`,
          query_params: { file },
          format: 'JSONEachRow',
        })
        summary = await result.json()
      } else {
        const outputs = [carSpeed, zoneLoad].flatMap((v) =>
          v.outputs.map((o) => `\`${v.ref}:${o.name}\` Nullable(Float64)`),
        )
        await client.command({
          query: `CREATE TABLE api_parquet_back (timestamp Int64, car String, zone String, eta_s Nullable(Float64),
            ${outputs.join(', ')}) ENGINE = Memory`,
        })
        await client.insert({
          table: 'api_parquet_back',
          format: 'Parquet',
          values: Readable.from([parquet]),
        })
        summary = await (
          await client.query({ query: `${read} FROM api_parquet_back`, format: 'JSONEachRow' })
        ).json()
      }
      expect(summary).toEqual([{ n: '3', eta: 712, mean: 70, zone: 900 }])
    } finally {
      await client.close()
    }
  })

  it('takes labels as a CSV upload with features and format in the query string', async () => {
    const csv = [
      'timestamp,car,zone,eta_s,ride',
      `${T0 + 4 * MIN},car-1,z-1,300,"0017"`,
      `${new Date(T0 + 10 * MIN).toISOString()},car-1,z-1,,r-2`,
      `${T0 + 16 * MIN},car-1,z-1,412,r-3`,
    ].join('\r\n')
    const res = await upload(`features=${MEAN}&features=${ZONE}&format=json`, 'text/csv; charset=utf-8', csv)
    expect(res.status).toBe(200)
    expect(res.headers.get('freshet-rows')).toBe('3')
    expect(jsonLines(await res.text())).toEqual(
      expected.map((row, i) => {
        const { [MEAN]: mean, [ZONE]: zone, ...label } = row
        return { ...label, ride: ['0017', 'r-2', 'r-3'][i], [MEAN]: mean, [ZONE]: zone }
      }),
    )
  })

  it('takes labels as an NDJSON upload', async () => {
    const ndjson = `${labels.map((l) => JSON.stringify(l)).join('\n')}\n`
    const res = await upload(`features=${MEAN},${ZONE}&format=json`, 'application/x-ndjson', ndjson)
    expect(res.status).toBe(200)
    expect(jsonLines(await res.text())).toEqual(expected)
  })

  it('generates labels from a time-range spine', async () => {
    const spine = { from: T0 + 4 * MIN, to: T0 + 14 * MIN, everyMs: 5 * MIN, entities: ['car-1'] }
    const res = await post({ labels: spine, features: [MEAN], format: 'json' })
    expect(res.status).toBe(200)
    expect(res.headers.get('freshet-rows')).toBeNull() // a spine's size is known only to ClickHouse
    expect(jsonLines(await res.text())).toEqual([
      { timestamp: T0 + 4 * MIN, car: 'car-1', [MEAN]: null },
      { timestamp: T0 + 9 * MIN, car: 'car-1', [MEAN]: 30 },
    ])
  })

  it('answers concurrent requests each with its own labels', async () => {
    const answers = await Promise.all(
      labels.map(async (label) =>
        jsonLines(await (await post({ labels: [label], features: [MEAN], format: 'json' })).text()),
      ),
    )
    expect(answers).toEqual(expected.map(({ [ZONE]: _zone, ...row }) => [row]))
  })
})
