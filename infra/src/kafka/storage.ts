import { randomUUID } from 'node:crypto'
import { access, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { FreshetError } from '@freshet/feature-store'
import type { Logger } from '../support/logger.js'
import { outputTail, runCommand } from '../support/run-command.js'

export interface FormatStorageOptions {
  javaCommand: string
  /** Class path entry, e.g. `<libs>/*` (the JVM expands the wildcard itself). */
  classPath: string
  log4jProperties: string
  serverProperties: string
  /** `log.dirs`; formatted means it holds `meta.properties`. */
  logDirs: string
  logger: Logger
}

/**
 * Formats the KRaft storage once per data dir. Returns the new cluster id, or null when the data dir
 * was already formatted (its existing id stays: reformatting would orphan every topic).
 */
export async function ensureStorageFormatted(options: FormatStorageOptions): Promise<string | null> {
  if (await exists(join(options.logDirs, 'meta.properties'))) return null
  await mkdir(options.logDirs, { recursive: true })
  const clusterId = newClusterId()
  options.logger.info({ clusterId, logDirs: options.logDirs }, 'formatting kafka storage')
  const result = await runCommand(options.javaCommand, [
    `-Dlog4j2.configurationFile=${options.log4jProperties}`,
    '-cp',
    options.classPath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    options.serverProperties,
  ]).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new FreshetError(
        'JAVA_MISSING',
        `${options.javaCommand} is not installed or not on PATH; Kafka needs Java 17+ ` +
          `(Debian: apt-get install -y openjdk-17-jre-headless)`,
        { cause: err },
      )
    }
    throw err
  })
  if (result.code !== 0) {
    throw new FreshetError(
      'KAFKA_FORMAT_FAILED',
      `kafka storage format failed (exit ${result.code}):\n${outputTail(result)}`,
    )
  }
  return clusterId
}

/**
 * A cluster id in the form `kafka-storage.sh random-uuid` prints (a v4 UUID as 22 chars of unpadded
 * base64url, never starting with '-'), made here to save a JVM start (~1 s) on every fresh data dir.
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
