import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePorts } from '../support/free-ports.js'
import { isAlive } from '../support/liveness.js'
import { isPortFree } from '../support/ports.js'
import { kafkaStatus, startKafka, stopKafka } from './index.js'

describe('local kafka', () => {
  let root: string
  const dirs: string[] = []
  const newDataDir = async () => {
    const dir = await mkdtemp(join(root, 'data-'))
    dirs.push(dir)
    return dir
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'freshet-infra-kafka-'))
  })
  afterAll(async () => {
    // Whatever a failed test left running must not outlive the suite.
    await Promise.all(dirs.map((dataDir) => stopKafka({ dataDir }).catch(() => {})))
    await rm(root, { recursive: true, force: true })
  })

  it('comes up from nothing, is idempotent, and goes down leaving no process and free ports', async () => {
    const dataDir = await newDataDir()
    const [port, controllerPort] = (await freePorts(2)) as [number, number]
    const options = { dataDir, port, controllerPort }

    const first = await startKafka(options)
    expect(first.alreadyRunning).toBe(false)
    expect(first.brokers).toEqual([`127.0.0.1:${port}`])
    expect(first.timings.formatMs).toBeGreaterThan(0)
    expect(await readFile(join(dataDir, 'kafka', 'kafka.pid'), 'utf8')).toBe(`${first.pid}\n`)

    const status = await kafkaStatus(options)
    expect(status).toMatchObject({ state: 'running', pid: first.pid })
    expect(status.probe).toMatchObject({ clusterId: first.clusterId, brokers: 1, controller: 1 })

    const second = await startKafka(options)
    expect(second).toMatchObject({ alreadyRunning: true, pid: first.pid, clusterId: first.clusterId })

    const stopped = await stopKafka(options)
    expect(stopped).toMatchObject({ wasRunning: true, pid: first.pid, forced: false })
    expect(await isAlive(first.pid)).toBe(false)
    expect(await isPortFree('127.0.0.1', port)).toBe(true)
    expect(await isPortFree('127.0.0.1', controllerPort)).toBe(true)
    expect(await kafkaStatus(options)).toMatchObject({ state: 'stopped', pid: null, probe: null })
    expect(await stopKafka(options)).toMatchObject({ wasRunning: false })
  })

  it('refuses to start with PORT_IN_USE when another process holds the broker port', async () => {
    const dataDir = await newDataDir()
    const [port, controllerPort] = (await freePorts(2)) as [number, number]
    const squatter = await listen(port)
    try {
      await expect(startKafka({ dataDir, port, controllerPort })).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      })
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('fails with SERVICE_EXITED and the log tail when the JVM dies during start-up', async () => {
    const dataDir = await newDataDir()
    const [port, controllerPort] = (await freePorts(2)) as [number, number]
    // Far too small a heap: the JVM refuses to start, which must not be reported as a timeout.
    await expect(startKafka({ dataDir, port, controllerPort, jvmOptions: ['-Xmx1m'] })).rejects.toMatchObject(
      {
        code: 'SERVICE_EXITED',
        message: expect.stringMatching(/heap/i),
      },
    )
    expect(await kafkaStatus({ dataDir, port, controllerPort })).toMatchObject({ state: 'stopped' })
  })

  it('names the missing tool when java or maven is not installed', async () => {
    const dataDir = await newDataDir()
    const [port, controllerPort] = (await freePorts(2)) as [number, number]
    await expect(
      startKafka({ dataDir, port, controllerPort, javaCommand: '/nonexistent/java' }),
    ).rejects.toMatchObject({ code: 'JAVA_MISSING' })
    await expect(
      startKafka({
        dataDir,
        port,
        controllerPort,
        cacheDir: join(root, 'empty-cache'),
        mavenCommand: '/nonexistent/mvn',
      }),
    ).rejects.toMatchObject({ code: 'MAVEN_MISSING' })
  })
})

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port }, () => resolve(server))
  })
}
