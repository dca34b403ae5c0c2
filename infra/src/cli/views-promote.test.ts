import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { FeatureRegistry } from '@freshet/feature-store'
import { featureViews } from '@freshet/pipelines'
import { createRedisRegistryStore } from '@freshet/sinks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const prefix = `test:${randomUUID().slice(0, 8)}:`
// No backfill ever ran under this queue prefix.
const BACKFILL_PREFIX = `${prefix}queues`

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** `freshet …` through the dispatcher, as a user runs it. */
function freshet(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/freshet.mjs', ...args],
      { cwd: ROOT, env: { ...process.env, REDIS_URL, BACKFILL_PREFIX } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const carMotion = featureViews.find((v) => v.ref === 'car_motion:v1')!
/** The same code under a new version: what a data engineer adds beside the live one. */
const carMotionV2 = { ...carMotion, version: 2, ref: 'car_motion:v2' }

describe('freshet views promote', () => {
  const key = `${prefix}registry`
  let admin: Redis
  beforeAll(async () => {
    admin = new Redis(REDIS_URL, { lazyConnect: true })
    await admin.connect()
    const registry = new FeatureRegistry({ store: createRedisRegistryStore({ url: REDIS_URL, key }) })
    try {
      await registry.register([...featureViews, carMotionV2])
    } finally {
      await registry.close()
    }
  })
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.unlink(...keys)
    await admin.quit()
  })

  it('refuses a version no backfill completed for, then promotes it with --force and shows it', async () => {
    expect(await admin.hget(`${key}:promoted`, 'car_motion')).toBe('1')
    const refused = await freshet(['views', 'promote', 'car_motion:v2', '--registry-key', key])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain(
      'error [PROMOTION_NEEDS_BACKFILL] no completed backfill of car_motion:v2 into the online store',
    )
    expect(refused.stderr).toContain('freshet backfill start --view car_motion:v2 --from -2h')
    expect(await admin.hget(`${key}:promoted`, 'car_motion')).toBe('1')

    const forced = await freshet(['views', 'promote', 'car_motion:v2', '--force', '--registry-key', key])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stdout).toBe('car_motion: v1 → v2 (forced: no backfill checked)\n')
    expect(await admin.hget(`${key}:promoted`, 'car_motion')).toBe('2')

    const [again, table] = await Promise.all([
      freshet(['views', 'promote', 'car_motion:v2', '--json', '--registry-key', key]),
      freshet(['views', '--registry-key', key]),
    ])
    expect(JSON.parse(again.stdout)).toEqual({
      name: 'car_motion',
      ref: 'car_motion:v2',
      previous: 2,
      version: 2,
      outcome: 'unchanged',
    })
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/^REF +PROMOTED +ENTITY +FEATURES +TTL +OWNER +HASH +REGISTERED$/)
    const at = lines[0]!.indexOf('PROMOTED')
    const promotedCell = (ref: string) =>
      lines
        .find((l) => l.startsWith(`${ref} `))
        ?.slice(at, at + 8)
        .trim()
    expect([
      promotedCell('car_motion:v1'),
      promotedCell('car_motion:v2'),
      promotedCell('car_battery:v1'),
    ]).toEqual(['', 'yes', 'yes'])
    // Registering the code's views again (what the sink does on start) keeps the promotion.
    expect(await admin.hget(`${key}:promoted`, 'car_motion')).toBe('2')
  })

  it('refuses an unregistered version, naming the registered ones, and explains bad arguments', async () => {
    const [unknown, bare, none, extra] = await Promise.all([
      freshet(['views', 'promote', 'car_motion:v7', '--force', '--registry-key', key]),
      freshet(['views', 'promote', 'car_motion', '--registry-key', key]),
      freshet(['views', 'promote']),
      freshet(['views', 'promote', 'car_motion:v1', 'car_motion:v2']),
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      'error [VIEW_NOT_REGISTERED] feature view car_motion:v7 is not registered (car_motion has v1, v2)',
    )
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('the view version must be a view version like car_motion:v2')
    expect(bare.stderr).toContain('usage: freshet views promote <view>:v<n>')
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('name the view version to promote')
    expect(extra.code).toBe(2)
    expect(extra.stderr).toContain("unexpected argument 'car_motion:v2'")
  })
})
