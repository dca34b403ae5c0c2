import type { OfflineFeatureReader } from '@freshet/feature-store'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { T0 } from '../clickhouse/testing/fixtures.js'
import { createOfflineApi } from './offline-api.js'
import {
  KEY,
  labels,
  MEAN,
  type OfflineApiFixture,
  openOfflineApiFixture,
  problemOf,
  ROTATED_KEY,
  views,
} from './testing/offline-api-fixture.js'

const SUITE = 'offline-api-refusals'
const WRONG = 'wrong-key-fedcba9876543210'

describe('offline API: refusals', () => {
  let api: OfflineApiFixture
  const post: OfflineApiFixture['post'] = (...args) => api.post(...args)
  const upload: OfflineApiFixture['upload'] = (...args) => api.upload(...args)

  beforeAll(async () => {
    api = await openOfflineApiFixture(SUITE)
  })
  afterAll(async () => {
    await api?.close()
  })

  it('refuses a missing or unknown key with 401 and a Bearer challenge, and never logs keys', async () => {
    const none = await api.app.request('/v1/feature-views')
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="freshet"')
    expect(await problemOf(none)).toMatchObject({
      type: 'urn:freshet:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: expect.stringContaining('Authorization: Bearer'),
    })
    const wrong = await post({ labels, features: [MEAN] }, { 'x-api-key': WRONG })
    expect(wrong.status).toBe(401)
    expect((await problemOf(wrong)).detail).toBe('the API key is not valid')
    const wrongBearer = await api.app.request('/v1/feature-views', {
      headers: { authorization: `Bearer ${WRONG}` },
    })
    expect(wrongBearer.status).toBe(401)
    const rotated = await api.app.request('/v1/feature-views', {
      headers: { authorization: `bearer ${ROTATED_KEY}` },
    })
    expect(rotated.status).toBe(200)
    expect(api.logged.length).toBeGreaterThan(0)
    for (const line of api.logged) {
      expect(line).not.toContain(KEY)
      expect(line).not.toContain(WRONG)
      expect(line).not.toContain(ROTATED_KEY)
    }
  })

  it('refuses an unknown feature ref or view with a 400 problem naming it', async () => {
    const res = await post({ labels, features: ['car_speed:v1:nope_5m', 'car_speed:v9'] })
    expect(res.status).toBe(400)
    const p = await problemOf(res)
    expect(p).toMatchObject({
      type: 'urn:freshet:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
    })
    expect(p.detail).toContain("car_speed:v1 has no feature 'nope_5m'")
    expect(p.detail).toContain('unknown feature view car_speed:v9')
    expect(p.requestId).toBe(res.headers.get('x-request-id'))
  })

  it('refuses a bad timestamp with a 400 problem pointing at the label', async () => {
    const bad = [labels[0], { ...labels[1], timestamp: 'yesterday' }]
    const p = await problemOf(await post({ labels: bad, features: [MEAN] }))
    expect(p.status).toBe(400)
    expect(p.detail).toMatch(
      /^labels\[1\]\.timestamp: expected an integer of epoch milliseconds or an ISO 8601/,
    )
    expect(p.detail).toContain('"yesterday"')
    const zoneless = await post({
      labels: [{ ...labels[0], timestamp: '2025-11-20T08:15:00' }],
      features: [MEAN],
    })
    expect(zoneless.status).toBe(400)
  })

  it('refuses bodies it cannot use with a 400 problem: bad JSON, unknown fields, labels the store cannot join', async () => {
    const cases: [Response, RegExp][] = [
      [await post('{"labels": ['), /not valid JSON/],
      [await post({ labels, features: [MEAN], fromat: 'csv' }), /Unrecognized key: "fromat"/],
      [await post({ labels, features: [MEAN], format: 'xlsx' }), /^format: /],
      [await post({ labels: [{ timestamp: T0, ride: 'r-1' }], features: [MEAN] }), /'car' or 'entity'/],
      [
        await upload(`features=${MEAN}`, 'text/csv', `timestamp,car,eta_s\n${T0},c,1\n${T0},c,soon\n`),
        /line 3/,
      ],
      [
        await upload(`features=${MEAN}`, 'application/x-ndjson', `{"timestamp":${T0},"car":"c"}\n{oops\n`),
        /line 2/,
      ],
    ]
    for (const [res, detail] of cases) {
      expect(res.status).toBe(400)
      expect((await problemOf(res)).detail).toMatch(detail)
    }
  })

  it('refuses a body over maxLabelBytes with 413, declared or streamed', async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...labels[0], eta_s: i }))
    const body = JSON.stringify({ labels: many, features: [MEAN] })
    const declared = await post(body, { 'content-length': String(Buffer.byteLength(body)) })
    expect(declared.status).toBe(413)
    expect(await problemOf(declared)).toMatchObject({
      type: 'urn:freshet:problem:payload-too-large',
      status: 413,
    })
    // A chunked upload declares no length: it is counted as it streams into the reader.
    const rows = Array.from({ length: 400 }, (_, i) => `${T0 + i},car-1,${i}`)
    const parts = ['timestamp,car,eta_s\n', ...rows.map((r) => `${r}\n`)].map((t) =>
      new TextEncoder().encode(t),
    )
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent < parts.length) controller.enqueue(parts[sent++]!)
        else controller.close()
      },
    })
    const streamed = await upload(`features=${MEAN}&format=csv`, 'text/csv', stream)
    expect(streamed.status).toBe(413)
    expect((await problemOf(streamed)).detail).toContain('exceeds 4096 bytes')
    expect(sent).toBeLessThan(parts.length / 2) // refused while streaming: the rest was never read
  })

  it('refuses Parquet and unknown label types with 415', async () => {
    const parquet = await upload(
      `features=${MEAN}`,
      'application/vnd.apache.parquet',
      new Uint8Array([80, 65, 82, 49]),
    )
    expect(parquet.status).toBe(415)
    expect((await problemOf(parquet)).detail).toContain('CLI converts a Parquet file')
    const xml = await upload(`features=${MEAN}`, 'application/xml', '<labels/>')
    expect(xml.status).toBe(415)
  })

  it('answers an unknown route with a 404 problem', async () => {
    const res = await api.app.request('/v1/nope', { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(404)
    expect((await problemOf(res)).type).toBe('urn:freshet:problem:not-found')
  })
})

describe('offline API: failures inside the reader', () => {
  const secret = 'ClickHouse exploded at /srv/secret/chdb while running SELECT …'
  const failing = (chunksFirst: number): OfflineFeatureReader => ({
    getHistoricalFeatures: () => {
      throw new Error('not used')
    },
    async *exportHistoricalFeatures() {
      for (let i = 0; i < chunksFirst; i++) yield new TextEncoder().encode(`{"row":${i}}\n`)
      throw new Error(secret)
    },
    close: async () => undefined,
  })
  const request = (reader: OfflineFeatureReader, logs: Record<string, unknown>[]) => {
    const logger = pino(
      {},
      { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
    )
    const app = createOfflineApi({ reader, views, apiKeys: [KEY], logger })
    return app.request('/v1/training-set', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'req-fail' },
      body: JSON.stringify({ labels, features: [MEAN], format: 'json' }),
    })
  }

  it('answers a failure before the first byte with a 500 problem that leaks nothing, logged with the request id', async () => {
    const logs: Record<string, unknown>[] = []
    const res = await request(failing(0), logs)
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({
      type: 'urn:freshet:problem:internal',
      title: 'Internal error',
      status: 500,
      detail: 'the server failed to answer this request',
      requestId: 'req-fail',
    })
    expect(text).not.toContain('secret')
    const entry = logs.find((l) => l.msg === 'request failed')
    expect(entry).toMatchObject({ requestId: 'req-fail', err: { message: secret } })
  })

  it('aborts the body of a failure after the first byte instead of ending a short file', async () => {
    const logs: Record<string, unknown>[] = []
    const res = await request(failing(2), logs)
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow(secret)
    expect(logs.find((l) => l.msg === 'training set failed mid-stream')).toMatchObject({
      requestId: 'req-fail',
      outcome: 'failed',
      bytes: 20,
    })
  })
})
