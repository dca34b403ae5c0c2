import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startManaged } from '../support/managed-service.js'
import { writeFileAtomic } from '../support/write-file-atomic.js'
import { ensureKafkaJars } from './jars.js'
import { renderLog4jProperties } from './log4j.js'
import { type KafkaServiceOptions, kafkaBootstrap, resolveKafkaOptions } from './options.js'
import { kafkaService } from './service.js'
import { ensureStorageFormatted } from './storage.js'

export interface KafkaStartResult {
  /** Bootstrap servers for clients, e.g. `['127.0.0.1:19092']`. */
  brokers: string[]
  pid: number
  /** True when our broker from this data dir was already up (nothing was started). */
  alreadyRunning: boolean
  clusterId: string
  logFile: string
  timings: {
    /** Time spent making sure jars are cached; includes Maven when `jarsResolved`. */
    jarsMs: number
    jarsResolved: boolean
    /** 0 unless the data dir was fresh. */
    formatMs: number
    /** Spawn to first successful probe. */
    readyMs: number
    totalMs: number
  }
}

/**
 * Starts a single-node KRaft Kafka (broker + controller) from Maven Central jars with the local Java,
 * and resolves once an admin client gets cluster metadata from it. Idempotent per data dir.
 *
 * @throws FreshetError `PORT_IN_USE`, `JAVA_MISSING`, `MAVEN_MISSING`, `MAVEN_RESOLVE_FAILED`,
 *   `KAFKA_FORMAT_FAILED`, `SERVICE_EXITED` (with the log tail), `SERVICE_NOT_READY`, `SERVICE_CONFLICT`
 * @example
 * const kafka = await startKafka({ dataDir: '/tmp/freshet', port: 29092, controllerPort: 29093 })
 * console.log(kafka.brokers) // ['127.0.0.1:29092']
 * await stopKafka({ dataDir: '/tmp/freshet' })
 */
export async function startKafka(options: KafkaServiceOptions = {}): Promise<KafkaStartResult> {
  const startedAt = Date.now()
  const o = resolveKafkaOptions(options)
  await mkdir(o.paths.home, { recursive: true })
  const timings = { jarsMs: 0, jarsResolved: false, formatMs: 0, readyMs: 0, totalMs: 0 }

  const outcome = await startManaged(kafkaService(o), async () => {
    const jars = await ensureKafkaJars({
      version: o.version,
      jarCache: o.paths.jarCache,
      mavenCommand: o.mavenCommand,
      logger: o.logger,
    })
    timings.jarsMs = jars.tookMs
    timings.jarsResolved = jars.resolved
    const classPath = join(jars.libs, '*')
    await writeFileAtomic(o.paths.log4jProperties, renderLog4jProperties())

    const formatStartedAt = Date.now()
    const formatted = await ensureStorageFormatted({
      javaCommand: o.javaCommand,
      classPath,
      log4jProperties: o.paths.log4jProperties,
      serverProperties: o.paths.serverProperties,
      logDirs: o.paths.logDirs,
      logger: o.logger,
    })
    if (formatted !== null) timings.formatMs = Date.now() - formatStartedAt

    return {
      command: o.javaCommand,
      args: [
        ...o.jvmOptions,
        `-Dlog4j2.configurationFile=${o.paths.log4jProperties}`,
        '-cp',
        classPath,
        'kafka.Kafka',
        o.paths.serverProperties,
      ],
      missingCode: 'JAVA_MISSING',
    }
  })

  timings.readyMs = outcome.readyMs
  timings.totalMs = Date.now() - startedAt
  return {
    brokers: [kafkaBootstrap(o)],
    pid: outcome.pid,
    alreadyRunning: outcome.alreadyRunning,
    clusterId: outcome.probe.clusterId,
    logFile: o.paths.logFile,
    timings,
  }
}
