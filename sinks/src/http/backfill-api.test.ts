import { randomUUID } from 'node:crypto'
import { type BackfillClient, createBackfillClient, featureViews } from '@freshet/pipelines'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKFILL_API_PREFIX, createBackfillApi, withBackfillApi } from './backfill-api.js'

// Real Redis (BullMQ queues under a throwaway prefix); no worker runs, so submitted backfills stay queued.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const ADMIN = 'admin-key-0123456789abcdef'
const OFFLINE_KEY = 'offline-key-0123456789abcdef'
const prefix = `test-backfill-api-${randomUUID().slice(0, 8)}`
const NOW = Date.UTC(2026, 10, 30, 12, 0)

describe('backfill admin API', () => {
  let client: BackfillClient
  let app: ReturnType<typeof createBackfillApi>
  const logged: string[] = []

  beforeAll(() => {
    client = createBackfillClient({ redisUrl, prefix, views: featureViews })
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) })
    app = createBackfillApi({ client, adminKeys: [ADMIN], logger, now: () => NOW })
  })
  afterAll(async () => {
    await client.close()
    const admin = new Redis(redisUrl)
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  })

  const call = (method: string, path: string, body?: unknown, key: string | null = ADMIN) =>
    app.request(path, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })

  it('needs an admin key on every route: none, a wrong one and an offline API key are refused', async () => {
    for (const key of [null, 'nope', OFFLINE_KEY]) {
      for (const [method, path] of [
        ['GET', BACKFILL_API_PREFIX],
        ['POST', BACKFILL_API_PREFIX],
        ['GET', `${BACKFILL_API_PREFIX}/bf-00000000`],
        ['POST', `${BACKFILL_API_PREFIX}/bf-00000000/cancel`],
      ] as const) {
        const res = await call(method, path, undefined, key)
        expect(res.status, `${method} ${path} with ${key}`).toBe(401)
        expect(res.headers.get('content-type')).toBe('application/problem+json')
      }
    }
  })

  it('refuses invalid backfills with 400 problems that say what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ views: ['car_motion:v9'], from: '2026-11-01T00:00Z' }, /unknown view version car_motion:v9/],
      [{ views: ['car_motion:v1'], from: '2026-11-01T00:00' }, /from '2026-11-01T00:00' is not a time/],
      [
        { views: ['car_motion:v1'], from: '2026-11-08T00:00Z', to: '2026-11-01T00:00Z' },
        /from must be before to/,
      ],
      [{ views: ['car_motion:v1'], from: '-1d', target: 'disk' }, /target: /],
      [{ views: [], from: '-1d' }, /views/],
      [{ views: 'all', from: '-1d', extra: true }, /Unrecognized key/],
    ]
    for (const [body, detail] of cases) {
      const res = await call('POST', BACKFILL_API_PREFIX, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      const problem = (await res.json()) as { type: string; detail: string }
      expect(problem.type).toBe('urn:freshet:problem:invalid-request')
      expect(problem.detail).toMatch(detail)
    }
  })

  it('queues a backfill, lists it, shows its status and cancels it', async () => {
    const res = await call('POST', BACKFILL_API_PREFIX, {
      views: ['car_motion:v1'],
      from: '2026-11-01T00:00Z',
      to: '2026-11-08T00:00Z',
      target: 'offline',
    })
    expect(res.status).toBe(202)
    const started = (await res.json()) as { id: string; state: string; request: object }
    expect(res.headers.get('location')).toBe(`${BACKFILL_API_PREFIX}/${started.id}`)
    expect(started).toMatchObject({
      state: 'queued',
      request: {
        views: ['car_motion:v1'],
        from: Date.UTC(2026, 10, 1),
        to: Date.UTC(2026, 10, 8),
        target: 'offline',
        requestedBy: 'admin-api',
      },
    })

    const all = await call('POST', BACKFILL_API_PREFIX, { views: 'all', from: '-2h' })
    expect(all.status).toBe(202)
    const second = (await all.json()) as {
      id: string
      request: { views: string[]; from: number; to: number; target: string }
    }
    expect(second.request).toMatchObject({ from: NOW - 7_200_000, to: NOW, target: 'both' })
    expect(second.request.views).toEqual(featureViews.map((v) => v.ref))

    const list = (await (await call('GET', `${BACKFILL_API_PREFIX}?limit=10`)).json()) as {
      backfills: { id: string; state: string }[]
    }
    expect(list.backfills.map((b) => b.id).sort()).toEqual([started.id, second.id].sort())

    const status = await call('GET', `${BACKFILL_API_PREFIX}/${started.id}`)
    expect(status.status).toBe(200)
    expect(await status.json()).toMatchObject({ id: started.id, state: 'queued', tasks: [] })

    const cancel = await call('POST', `${BACKFILL_API_PREFIX}/${started.id}/cancel`)
    expect(cancel.status).toBe(202)
    expect(await cancel.json()).toMatchObject({ id: started.id, state: 'cancelling' })
    const deleted = await call('DELETE', `${BACKFILL_API_PREFIX}/${second.id}`)
    expect(deleted.status).toBe(202)
    expect(await deleted.json()).toMatchObject({ state: 'cancelling', cancelledAt: expect.any(Number) })

    for (const [method, path] of [
      ['GET', `${BACKFILL_API_PREFIX}/bf-00000000`],
      ['GET', `${BACKFILL_API_PREFIX}/not-an-id`],
      ['POST', `${BACKFILL_API_PREFIX}/bf-00000000/cancel`],
    ] as const) {
      const res404 = await call(method, path)
      expect(res404.status).toBe(404)
      expect(((await res404.json()) as { type: string }).type).toBe('urn:freshet:problem:not-found')
    }
    expect((await call('GET', `${BACKFILL_API_PREFIX}?limit=0`)).status).toBe(400)
    for (const line of logged) expect(line).not.toContain(ADMIN)
  })

  it('shares a server with the offline API without sharing its keys', async () => {
    const other = { fetch: () => new Response('offline', { status: 200 }) }
    const fetch = withBackfillApi(app, other)
    expect(await (await fetch(new Request('http://x/v1/feature-views'))).text()).toBe('offline')
    expect((await fetch(new Request(`http://x${BACKFILL_API_PREFIX}`))).status).toBe(401)
    expect((await fetch(new Request(`http://x${BACKFILL_API_PREFIX}s`))).status).toBe(200)
  })
})
