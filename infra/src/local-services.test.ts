import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kafkaStatus } from './kafka/status.js'
import { localServicesStatus, startLocalServices, stopLocalServices } from './local-services.js'
import { redisStatus } from './redis/status.js'
import { freePorts } from './support/free-ports.js'

describe('startLocalServices', () => {
  let root: string
  let ours: string
  let theirs: string
  let ports: { kafka: { port: number; controllerPort: number }; redis: { port: number } }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'freshet-infra-local-'))
    ours = join(root, 'ours')
    theirs = join(root, 'theirs')
    const [port, controllerPort, redisPort] = (await freePorts(3)) as [number, number, number]
    ports = { kafka: { port, controllerPort }, redis: { port: redisPort } }
  })
  afterAll(async () => {
    await stopLocalServices({ dataDir: ours, ...ports }).catch(() => {})
    await rm(root, { recursive: true, force: true })
  })

  it('starts both services with the topic catalog, and stop() stops only what that call started', async () => {
    const first = await startLocalServices({ dataDir: ours, ...ports })
    expect(first.startedHere).toEqual({ kafka: true, redis: true })
    expect(first.kafka.brokers).toEqual([`127.0.0.1:${ports.kafka.port}`])
    expect(first.redis.url).toBe(`redis://127.0.0.1:${ports.redis.port}`)
    expect(first.topics?.created).toContain('car.telemetry.v1')

    // Same data dir: our pid files say the services run, so nothing is started again.
    const again = await startLocalServices({ dataDir: ours, ...ports })
    expect(again.startedHere).toEqual({ kafka: false, redis: false })
    expect(again.topics).toMatchObject({ created: [] })
    expect(again.topics?.existing).toContain('car.telemetry.v1')
    await again.stop()

    // Another data dir on the same ports, as a test suite would: the running services are reused.
    const reused = await startLocalServices({ dataDir: theirs, ...ports })
    expect(reused.startedHere).toEqual({ kafka: false, redis: false })
    expect(reused.kafka).toMatchObject({ pid: null, clusterId: first.kafka.clusterId })
    await reused.stop()

    const status = await localServicesStatus({ dataDir: ours, ...ports })
    expect(status.kafka.probe).not.toBeNull()
    expect(status.redis.probe).not.toBeNull()

    await first.stop()
    expect(await kafkaStatus({ dataDir: ours, ...ports.kafka })).toMatchObject({ state: 'stopped' })
    expect(await redisStatus({ dataDir: ours, ...ports.redis })).toMatchObject({ state: 'stopped' })
  })

  it('fails with PORT_IN_USE when the Kafka port is held by a stranger, and stops the Redis it started', async () => {
    // A stranger that is not Kafka: it accepts connections and drops them at once.
    const squatter = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) =>
      squatter.listen({ host: '127.0.0.1', port: ports.kafka.port }, resolve),
    )
    try {
      await expect(startLocalServices({ dataDir: theirs, ...ports })).rejects.toMatchObject({
        code: 'PORT_IN_USE',
      })
      // Redis came up in parallel before Kafka failed; the failed call must not leave it running.
      expect(await redisStatus({ dataDir: theirs, ...ports.redis })).toMatchObject({ state: 'stopped' })
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})
