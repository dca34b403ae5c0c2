import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePorts } from '../support/free-ports.js'
import { isAlive } from '../support/liveness.js'
import { isPortFree } from '../support/ports.js'
import { redisStatus, startRedis, stopRedis } from './index.js'

describe('local redis', () => {
  let dataDir: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'freshet-infra-redis-'))
  })
  afterAll(async () => {
    await stopRedis({ dataDir }).catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  })

  it('serves a SET/GET round trip and keeps it in the append-only file after a clean stop', async () => {
    const [port] = (await freePorts(1)) as [number]
    const options = { dataDir, port }

    const first = await startRedis(options)
    expect(first).toMatchObject({ alreadyRunning: false, url: `redis://127.0.0.1:${port}` })

    const client = new Redis(first.url, { lazyConnect: true })
    await client.connect()
    await client.set('freshet:infra:probe', 'round-trip')
    expect(await client.get('freshet:infra:probe')).toBe('round-trip')
    await client.quit()

    expect(await startRedis(options)).toMatchObject({ alreadyRunning: true, pid: first.pid })
    expect((await redisStatus(options)).probe).toMatchObject({ aof: true })

    expect(await stopRedis(options)).toMatchObject({ wasRunning: true, forced: false })
    expect(await isAlive(first.pid)).toBe(false)
    expect(await isPortFree('127.0.0.1', port)).toBe(true)
    expect(await redisStatus(options)).toMatchObject({ state: 'stopped' })

    const aofDir = join(dataDir, 'redis', 'appendonlydir')
    const aofFiles = (await readdir(aofDir)).filter((f) => f.endsWith('.aof'))
    expect(aofFiles.length).toBeGreaterThan(0)
    const aof = (await Promise.all(aofFiles.map((f) => readFile(join(aofDir, f), 'utf8')))).join('')
    expect(aof).toContain('freshet:infra:probe')
  })

  it('refuses to start with PORT_IN_USE when the port is taken', async () => {
    const [port] = (await freePorts(1)) as [number]
    const other = await mkdtemp(join(tmpdir(), 'freshet-infra-redis-other-'))
    try {
      await startRedis({ dataDir, port })
      await expect(startRedis({ dataDir: other, port })).rejects.toMatchObject({ code: 'PORT_IN_USE' })
    } finally {
      await stopRedis({ dataDir })
      await rm(other, { recursive: true, force: true })
    }
  })
})
