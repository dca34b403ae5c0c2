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
  app.use(apiKeyAuth(parseApiKeys('p-0123456789abcdef:predict,a-0123456789abcdef:admin')))
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
    expect((await app.request('/predict', { headers: { 'x-api-key': 'a-0123456789abcdef' } })).status).toBe(
      403,
    )
  })

  it('refuses to build without keys', () => {
    expect(() => apiKeyAuth([])).toThrow(/needs at least one API key/)
  })
})
