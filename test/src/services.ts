/**
 * One fixture interface for every suite that needs real services, whichever way they come up:
 * - `endpoints`: KAFKA_BROKERS and REDIS_URL are set (CI or a developer's own services): use them as they are;
 * - `testcontainers`: a Docker engine answers: throwaway apache/kafka and redis containers;
 * - `local`: otherwise: Kafka from Maven jars and Debian's redis-server, via @freshet/infra.
 * ClickHouse needs no service by default: each suite opens its own embedded chDB data dir (CLICKHOUSE_URL
 * switches to a server).
 */
import { createServer } from 'node:net'
import { loadConfig, localServicesOptions, startLocalServices } from '@freshet/infra'

export type ServicesMode = 'endpoints' | 'testcontainers' | 'local'

export interface TestServices {
  mode: ServicesMode
  kafkaBrokers: string[]
  redisUrl: string
  clickhouseUrl?: string
  /** Stops only what this fixture started; services found running are left alone. */
  release(): Promise<void>
}

export interface AcquireOptions {
  env?: NodeJS.ProcessEnv
  /** How long to wait for a Docker engine to answer before falling back to local services. Default 3000 ms. */
  dockerProbeTimeoutMs?: number
}

/**
 * @example
 * const services = await acquireServices()
 * try { await runSuites(services.kafkaBrokers) } finally { await services.release() }
 */
export async function acquireServices({
  env = process.env,
  dockerProbeTimeoutMs = 3000,
}: AcquireOptions = {}): Promise<TestServices> {
  const clickhouseUrl = env.CLICKHOUSE_URL || undefined
  if (env.KAFKA_BROKERS && env.REDIS_URL) {
    return {
      mode: 'endpoints',
      kafkaBrokers: env.KAFKA_BROKERS.split(','),
      redisUrl: env.REDIS_URL,
      ...(clickhouseUrl ? { clickhouseUrl } : {}),
      release: async () => {},
    }
  }
  if (await dockerAnswers(dockerProbeTimeoutMs)) return startContainers(clickhouseUrl)
  // The infra CLI's settings (KAFKA_PORT, REDIS_PORT, FRESHET_DATA_DIR…), so a run can use its own services.
  const local = await startLocalServices(localServicesOptions(loadConfig(env)))
  return {
    mode: 'local',
    kafkaBrokers: local.kafka.brokers,
    redisUrl: local.redis.url,
    ...(clickhouseUrl ? { clickhouseUrl } : {}),
    release: () => local.stop(),
  }
}

async function dockerAnswers(timeoutMs: number): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('docker probe timed out')), timeoutMs)
    })
    await Promise.race([getContainerRuntimeClient(), timeout]).finally(() => clearTimeout(timer))
    return true
  } catch {
    return false
  }
}

async function startContainers(clickhouseUrl: string | undefined): Promise<TestServices> {
  const { GenericContainer, Wait } = await import('testcontainers')
  // Kafka advertises the address clients must use, so the host port is chosen before the container starts.
  const kafkaPort = await freePort()
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start()
  const redis = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--appendonly', 'yes'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start()
  return {
    mode: 'testcontainers',
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    ...(clickhouseUrl ? { clickhouseUrl } : {}),
    release: async () => {
      await Promise.all([kafka.stop(), redis.stop()])
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
