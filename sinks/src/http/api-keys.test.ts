import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { type AuthEnv, apiKeyAuth, parseApiKeys, requireScope } from './api-keys.js'

describe('parseApiKeys', () => {
  it('reads keys with their scopes', () => {
    expect(parseApiKeys(' dispatch-0123456789abcdef:predict , ops-0123456789abcdef:predict+admin ')).toEqual([
      { key: 'dispatch-0123456789abcdef', scopes: ['predict'] },
      { key: 'ops-0123456789abcdef', scopes: ['predict', 'admin'] },
    ])
  })

  it('refuses short keys and unknown scopes without echoing the key', () => {
    expect(() => parseApiKeys('short:predict')).toThrow(/API key #1 must be at least 16 characters/)
    const err = (() => {
      try {
        parseApiKeys('ok-0123456789abcdef:predict,secret-0123456789abcdef:root')
      } catch (e) {
        return e as Error
      }
    })()
    expect(err?.message).toMatch(/API key #2: scopes must be predict and\/or admin/)
    expect(err?.message).not.toMatch(/secret/)
  })
})

describe('apiKeyAuth and requireScope', () => {
  const app = new Hono<AuthEnv>()
  app.use(
    apiKeyAuth(parseApiKeys('p-0123456789abcdef:predict,a-0123456789abcdef:admin'), {
      realm: 'freshet-serving',
    }),
  )
  app.get('/predict', requireScope('predict'), (c) => c.text(c.get('client').id))
  app.get('/admin', requireScope('admin'), (c) => c.text('ok'))

  it('admits a known key by either header and names the client by a digest, not the key', async () => {
    const a = await app.request('/predict', { headers: { 'x-api-key': 'p-0123456789abcdef' } })
    const b = await app.request('/predict', { headers: { authorization: 'Bearer p-0123456789abcdef' } })
    expect(a.status).toBe(200)
    expect(await b.text()).toBe(await a.text())
    expect(
      await (await app.request('/predict', { headers: { 'x-api-key': 'p-0123456789abcdef' } })).text(),
    ).toMatch(/^key-[0-9a-f]{8}$/)
  })

  it('answers 401 without or with a wrong key, 403 without the scope', async () => {
    expect((await app.request('/predict')).status).toBe(401)
    expect((await app.request('/predict', { headers: { 'x-api-key': 'p-0123456789abcdeX' } })).status).toBe(
      401,
    )
    const res = await app.request('/admin', { headers: { 'x-api-key': 'p-0123456789abcdef' } })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({
      type: 'urn:freshet:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: "this API key lacks the 'admin' scope",
    })
    expect((await app.request('/predict', { headers: { 'x-api-key': 'a-0123456789abcdef' } })).status).toBe(
      403,
    )
  })

  it("challenges a 401 with the API's realm", async () => {
    const res = await app.request('/predict', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="freshet-serving"')
    expect(await res.json()).toMatchObject({
      type: 'urn:freshet:problem:unauthorized',
      detail: "send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
    })
  })
})

describe('apiKeyAuth with plain keys (the sink APIs: one key list per API)', () => {
  const app = new Hono<{ Variables: { requestId: string } }>()
  app.use((c, next) => {
    c.set('requestId', 'req-1')
    return next()
  })
  app.use(apiKeyAuth(['old-key-0123456789', 'new-key-0123456789'], { api: 'offline API' }))
  app.get('/any', (c) => c.text('ok'))
  app.get('/admin', requireScope('admin'), (c) => c.text('ok'))

  it('admits every configured key, so keys rotate without downtime', async () => {
    for (const key of ['old-key-0123456789', 'new-key-0123456789']) {
      expect((await app.request('/any', { headers: { 'x-api-key': key } })).status).toBe(200)
      expect((await app.request('/any', { headers: { authorization: `bearer ${key} ` } })).status).toBe(200)
    }
  })

  it('refuses other keys with a 401 problem under the request id, challenging realm "freshet"', async () => {
    const res = await app.request('/any', { headers: { 'x-api-key': 'old-key-012345678' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="freshet"')
    expect(res.headers.get('x-request-id')).toBe('req-1')
    const body = await res.text()
    expect(JSON.parse(body)).toEqual({
      type: 'urn:freshet:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'the API key is not valid',
      requestId: 'req-1',
    })
    expect(body).not.toContain('old-key')
  })

  it('gives a plain key no scope', async () => {
    expect((await app.request('/admin', { headers: { 'x-api-key': 'new-key-0123456789' } })).status).toBe(403)
  })
})

describe('apiKeyAuth fails closed', () => {
  it('refuses to build without keys or with a blank key, naming the API', () => {
    expect(() => apiKeyAuth([])).toThrow(/needs at least one non-empty API key/)
    expect(() => apiKeyAuth(['ok-0123456789abcdef', ' '], { api: 'offline API' })).toThrow(
      'the offline API needs at least one non-empty API key',
    )
    expect(() => apiKeyAuth([{ key: '', scopes: ['admin'] }], { api: 'serving API' })).toThrow(
      'the serving API needs at least one non-empty API key',
    )
  })
})
