import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { BackfillStatus } from '@freshet/pipelines'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { parseBackfillArgs } from './backfill-args.js'
import { formatBackfillList, formatBackfillStatus, formatEta, progressBar } from './backfill-output.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const env = { REDIS_URL: 'redis://127.0.0.1:16379' }
const prefix = `test-cli-${randomUUID().slice(0, 8)}`

afterAll(async () => {
  const redis = new Redis(process.env.REDIS_URL ?? env.REDIS_URL)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
})

function freshet(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/freshet.mjs', ...args],
      { cwd: ROOT, env: { ...process.env, BACKFILL_PREFIX: prefix } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const status: BackfillStatus = {
  id: 'bf-1a2b3c4d',
  state: 'running',
  request: {
    views: ['car_motion:v2'],
    from: Date.UTC(2026, 10, 1),
    to: Date.UTC(2026, 10, 8),
    target: 'both',
    requestedBy: 'cli:ana',
  },
  createdAt: Date.UTC(2026, 10, 30, 5, 40),
  tasks: [
    {
      key: '0.0',
      kind: 'partition',
      topic: 'car.telemetry.v1',
      views: ['car_motion:v2'],
      state: 'active',
      attempts: 2,
      ranges: [
        { partition: 0, start: '100', end: '2100', position: '1100', events: 1000, total: 2000, done: false },
      ],
      written: 40,
      late: 0,
      deadLetters: 0,
      eventsPerS: 41_200,
      etaS: 75,
    },
    {
      key: '0.1',
      kind: 'partition',
      topic: 'car.telemetry.v1',
      views: ['car_motion:v2'],
      state: 'completed',
      attempts: 1,
      ranges: [
        { partition: 1, start: '0', end: '2000', position: '2000', events: 2000, total: 2000, done: true },
      ],
      written: 80,
      late: 1,
      deadLetters: 0,
      eventsPerS: 0,
      etaS: null,
    },
  ],
  totals: {
    events: 3000,
    total: 4000,
    percent: 75,
    written: 120,
    late: 1,
    deadLetters: 0,
    eventsPerS: 41_200,
    etaS: 75,
  },
}

describe('freshet backfill', () => {
  it('parses start (the default command), relative times after a flag, and the other commands', () => {
    expect(
      parseBackfillArgs(
        ['--view', 'car_motion:v2,zone_traffic:v1', '--from', '-2h', '--target', 'online'],
        env,
      ),
    ).toMatchObject({
      command: 'start',
      views: ['car_motion:v2', 'zone_traffic:v1'],
      from: '-2h',
      target: 'online',
      prefix: 'freshet',
      redisUrl: 'redis://127.0.0.1:16379',
    })
    expect(parseBackfillArgs(['status', 'bf-1a2b3c4d', '--watch'], env)).toMatchObject({
      command: 'status',
      id: 'bf-1a2b3c4d',
      wait: true,
    })
    expect(parseBackfillArgs(['list', '--prefix', 'p', '--json'], env)).toMatchObject({
      prefix: 'p',
      json: true,
    })
    expect(parseBackfillArgs(['--help'], env)).toBe('help')
    for (const bad of [
      ['start', '--view', 'car_motion:v2'],
      ['status'],
      ['cancel', 'a', 'b'],
      ['nope'],
      ['--view', 'x', '--from', 'now', '--target', 'disk'],
      ['list', '--redis-url', 'http://x'],
    ]) {
      expect(() => parseBackfillArgs(bad, env), bad.join(' ')).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    }
  })

  it('renders a progress bar per partition with events, rate, ETA and totals', () => {
    expect(progressBar(0.5, 8)).toBe('[████░░░░]')
    expect(progressBar(2, 4)).toBe('[████]')
    expect(formatEta(75)).toBe('1m15s')
    expect(formatEta(7300)).toBe('2h01m')
    const text = formatBackfillStatus(status)
    expect(text.split('\n')[0]).toBe(
      'bf-1a2b3c4d  running  car_motion:v2  2026-11-01T00:00Z → 2026-11-08T00:00Z  target both',
    )
    expect(text).toMatch(
      /0\.0 +car\.telemetry\.v1\/0 +\[█{12}░{12}\] +50\.0% +1,000 \/ 2,000 +41,200\/s +1m15s +active \(attempt 2\)/,
    )
    expect(text).toMatch(/0\.1 +car\.telemetry\.v1\/1 +\[█{24}\] +100\.0% +2,000 \/ 2,000 +completed/)
    expect(text).toMatch(/total +\[█{18}░{6}\] +75\.0% +3,000 \/ 4,000 +41,200\/s +1m15s/)
    expect(text).toContain('written 120 records · late 1 · dead letters 0 · requested by cli:ana')
    expect(formatBackfillList([])).toBe('no backfills')
    expect(
      formatBackfillList([
        { ...status, result: { outcome: 'completed', events: 1, written: 120, late: 0, deadLetters: 0 } },
      ]),
    ).toMatch(
      /^ID +STATE +VIEWS +FROM +TO +TARGET +CREATED +WRITTEN\nbf-1a2b3c4d +running +car_motion:v2 +2026-11-01T00:00Z +2026-11-08T00:00Z +both +2026-11-30T05:40Z +120$/,
    )
  })

  it('runs through the dispatcher against Redis: list, and clear errors for a bad view or id', async () => {
    const list = await freshet(['backfill', 'list', '--json'])
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual({ backfills: [] })
    const unknown = await freshet(['backfill', '--view', 'car_motion:v9', '--from', '-1h'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/error \[CONFIG_INVALID\] unknown view version car_motion:v9/)
    const missing = await freshet(['backfill', 'status', 'bf-00000000'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no backfill bf-00000000')
    const usage = await freshet(['backfill', 'status'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('usage: freshet backfill')
  })
})
