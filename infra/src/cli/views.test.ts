import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { featureViews } from '@freshet/pipelines'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** `freshet views …` through the dispatcher, as a user runs it. */
function freshetViews(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/freshet.mjs', 'views', ...args],
      { cwd: ROOT, env: { ...process.env, REDIS_URL, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('freshet views', () => {
  const prefix = `test:${randomUUID().slice(0, 8)}:`
  let admin: Redis
  beforeAll(async () => {
    admin = new Redis(REDIS_URL, { lazyConnect: true })
    await admin.connect()
  })
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.unlink(...keys)
    await admin.quit()
  })

  it('registers every view of the code once, then finds them unchanged', async () => {
    const key = `${prefix}registry`
    const first = await freshetViews(['--json', '--registry-key', key])
    expect(first.code, first.stderr).toBe(0)
    const { registrations, views, promoted } = JSON.parse(first.stdout)
    const refs = featureViews.map((v) => v.ref)
    expect(registrations).toEqual(refs.map((ref) => ({ ref, outcome: 'registered' })))
    expect(views.map((v: { ref: string }) => v.ref)).toEqual([...refs].sort())
    expect(await admin.hlen(key)).toBe(refs.length)
    // Each view's first registered version is promoted, and written down beside the registry.
    const firsts = Object.fromEntries(featureViews.map((v) => [v.name, v.version]))
    expect(promoted).toEqual(firsts)
    expect(await admin.hgetall(`${key}:promoted`)).toEqual(
      Object.fromEntries(featureViews.map((v) => [v.name, String(v.version)])),
    )

    const again = await freshetViews(['--json', '--registry-key', key])
    expect(JSON.parse(again.stdout)).toEqual({
      registrations: refs.map((ref) => ({ ref, outcome: 'unchanged' })),
      views,
      promoted,
    })
  })

  it('prints a table of the registry and what registering did', async () => {
    const key = `${prefix}registry-table`
    const run = await freshetViews(['--registry-key', key])
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^REF +PROMOTED +ENTITY +FEATURES +TTL +OWNER +HASH +REGISTERED$/)
    expect(lines[1]).toMatch(
      /^car_battery:v1 +yes +car +\d+ +2h +mobility-features +[0-9a-f]{12} +\d{4}-\d\d-\d\d \d\d:\d\dZ$/,
    )
    expect(lines.at(-1)).toBe(
      `${featureViews.length} views in code: ${featureViews.length} registered, 0 metadata updated, 0 unchanged ` +
        `(${REDIS_URL} ${key})`,
    )
  })

  it('refuses a changed definition of a published version with a clear error and registers nothing', async () => {
    const key = `${prefix}registry-conflict`
    const seeded = await freshetViews(['--json', '--registry-key', `${prefix}registry-seed`])
    const carMotion = JSON.parse(seeded.stdout).views.find((v: { ref: string }) => v.ref === 'car_motion:v1')
    // As if car_motion:v1 had been published with another grace period and key function.
    const published = {
      ...carMotion,
      graceMs: 1_000,
      functions: { ...carMotion.functions, key: 'e=>e.vin' },
      contentHash: 'f'.repeat(64),
    }
    await admin.hset(key, 'car_motion:v1', JSON.stringify(published))

    const run = await freshetViews(['--registry-key', key])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('error [REGISTRY_CONFLICT] feature view car_motion:v1 is already registered')
    expect(run.stderr).toContain('  - graceMs: 1000 → 30000\n  - functions.key: "e=>e.vin" → "e=>e.carId"')
    expect(await admin.hkeys(key)).toEqual(['car_motion:v1'])
  })

  it('explains bad flags with its usage (exit 2), without echoing a URL that may hold a password', async () => {
    const unknown = await freshetViews(['--jsn'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('usage: freshet views')
    const badUrl = await freshetViews(['--redis-url', 'http://user:s3cret@example'])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain('--redis-url (or REDIS_URL) must be a redis:// or rediss:// URL')
    expect(badUrl.stderr).not.toContain('s3cret')
  })

  it('fails with STORE_UNAVAILABLE (exit 1), without credentials, when Redis does not answer', async () => {
    const run = await freshetViews(['--registry-key', `${prefix}unused`], {
      REDIS_URL: 'redis://:s3cret@127.0.0.1:1',
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error [STORE_UNAVAILABLE]')
    expect(run.stderr).toContain('redis://127.0.0.1:1')
    expect(run.stderr).not.toContain('s3cret')
  })
})
