import { join, resolve } from 'node:path'
import { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from '../support/default-paths.js'
import { type Logger, silentLogger } from '../support/logger.js'
import { withDefaults } from '../support/with-defaults.js'

/** Options of {@link startKafka}, {@link stopKafka} and {@link kafkaStatus}; every field has a default. */
export interface KafkaServiceOptions {
  /** Root of local state; Kafka keeps config, data, log and pid file in `<dataDir>/kafka`. Default `<repo>/.freshet`. */
  dataDir?: string
  /** Where resolved jars are cached across data dirs. Default `~/.cache/freshet`. */
  cacheDir?: string
  /** Apache Kafka version from Maven Central (Scala 2.13 build). Default `4.1.1`. */
  version?: string
  /** Interface to bind and advertise. Default `127.0.0.1`. */
  host?: string
  /** PLAINTEXT listener for clients. Default 19092. */
  port?: number
  /** KRaft controller listener. Default 19093. */
  controllerPort?: number
  /** JVM flags placed before the main class. Default `['-Xms256m', '-Xmx768m']`. */
  jvmOptions?: readonly string[]
  /** How long `start` waits for the broker to serve metadata. Default 60 000 ms. */
  readyTimeoutMs?: number
  /** How long `stop` waits for a controlled shutdown before SIGKILL. Default 30 000 ms. */
  stopTimeoutMs?: number
  /** `java` executable (name on PATH or absolute path). Default `java`. */
  javaCommand?: string
  /** `mvn` executable, only used when jars are not cached yet. Default `mvn`. */
  mavenCommand?: string
  /** Progress logs. Default: silent. */
  logger?: Logger
}

/** The documented defaults, for callers (the CLI config) that want to show or reuse them. */
export const KAFKA_DEFAULTS: Readonly<Required<Omit<KafkaServiceOptions, 'logger'>>> = {
  dataDir: DEFAULT_DATA_DIR,
  cacheDir: DEFAULT_CACHE_DIR,
  version: '4.1.1',
  host: '127.0.0.1',
  port: 19092,
  controllerPort: 19093,
  jvmOptions: ['-Xms256m', '-Xmx768m'],
  readyTimeoutMs: 60_000,
  stopTimeoutMs: 30_000,
  javaCommand: 'java',
  mavenCommand: 'mvn',
}

export interface ResolvedKafkaOptions extends Required<KafkaServiceOptions> {
  paths: KafkaPaths
}

export interface KafkaPaths {
  /** `<dataDir>/kafka`: everything of one local cluster. */
  home: string
  /** KRaft metadata and topic partitions. */
  logDirs: string
  serverProperties: string
  log4jProperties: string
  logFile: string
  pidFile: string
  /** `<cacheDir>/kafka-<version>`: pom.xml, libs/ and the completion marker. */
  jarCache: string
}

export function resolveKafkaOptions(options: KafkaServiceOptions = {}): ResolvedKafkaOptions {
  const o = withDefaults({ ...KAFKA_DEFAULTS, logger: silentLogger }, options)
  // Absolute paths: the JVM runs with its own cwd, and the config path identifies our process.
  const home = resolve(o.dataDir, 'kafka')
  return {
    ...o,
    paths: {
      home,
      logDirs: join(home, 'data'),
      serverProperties: join(home, 'server.properties'),
      log4jProperties: join(home, 'log4j2.properties'),
      logFile: join(home, 'kafka.log'),
      pidFile: join(home, 'kafka.pid'),
      jarCache: resolve(o.cacheDir, `kafka-${o.version}`),
    },
  }
}

/** `host:port` of the PLAINTEXT listener, as clients use it. */
export function kafkaBootstrap(o: ResolvedKafkaOptions): string {
  return `${o.host}:${o.port}`
}
