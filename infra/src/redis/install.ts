import { FreshetError } from '@freshet/feature-store'
import type { Logger } from '../support/logger.js'
import { outputTail, runCommand } from '../support/run-command.js'

export interface EnsureRedisOptions {
  redisServerCommand: string
  aptGetCommand: string
  /** When false, a missing redis-server is an error instead of an install. */
  install: boolean
  logger: Logger
}

/**
 * Returns the `redis-server --version` line, installing Debian's redis-server first when it is missing.
 * Needs root (or a PATH `apt-get` that works); the package's own service is not used.
 *
 * @example
 * const version = await ensureRedisInstalled({ redisServerCommand: 'redis-server', aptGetCommand: 'apt-get', install: true, logger })
 */
export async function ensureRedisInstalled(options: EnsureRedisOptions): Promise<string> {
  const found = await redisVersion(options.redisServerCommand)
  if (found !== null) return found
  if (!options.install) {
    throw new FreshetError(
      'REDIS_INSTALL_FAILED',
      `${options.redisServerCommand} is not installed (automatic install disabled)`,
    )
  }
  options.logger.info('redis-server not found; installing it with apt-get')
  await apt(options.aptGetCommand, ['update'])
  await apt(options.aptGetCommand, ['install', '-y', '--no-install-recommends', 'redis-server'])
  const installed = await redisVersion(options.redisServerCommand)
  if (installed === null) {
    throw new FreshetError(
      'REDIS_INSTALL_FAILED',
      `apt-get installed redis-server but ${options.redisServerCommand} is still not found`,
    )
  }
  options.logger.info({ version: installed }, 'redis-server installed')
  return installed
}

async function redisVersion(command: string): Promise<string | null> {
  try {
    const result = await runCommand(command, ['--version'])
    return result.code === 0 ? result.stdout.trim() : null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

async function apt(aptGet: string, args: readonly string[]): Promise<void> {
  const result = await runCommand(aptGet, args).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new FreshetError(
        'APT_MISSING',
        `redis-server is missing and ${aptGet} is not available to install it; install Redis 7 by hand`,
        { cause: err },
      )
    }
    throw err
  })
  if (result.code !== 0) {
    throw new FreshetError(
      'REDIS_INSTALL_FAILED',
      `${aptGet} ${args.join(' ')} failed (exit ${result.code}; installing needs root):\n${outputTail(result)}`,
      { retriable: true },
    )
  }
}
