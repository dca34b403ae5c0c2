/**
 * `npm run infra -- up|down|status [--json]`: local Kafka and Redis without Docker.
 * The only place in infra that reads the environment (through config.ts).
 */
import { parseArgs } from 'node:util'
import { isFreshetError } from '@freshet/feature-store'
import { createCliLogger } from './cli-log.js'
import { formatDown, formatStatus, formatUp } from './cli-output.js'
import { loadConfig, localServicesOptions } from './config.js'
import { localServicesStatus, startLocalServices, stopLocalServices } from './local-services.js'

const USAGE = `usage: npm run infra -- <up|down|status> [--json]

  up      start Kafka (KRaft, from Maven jars) and Redis, then create the topic catalog
  down    stop both (data is kept in FRESHET_DATA_DIR)
  status  show whether each runs and answers its health probe

env: FRESHET_DATA_DIR, FRESHET_CACHE_DIR, KAFKA_VERSION, KAFKA_PORT, KAFKA_CONTROLLER_PORT, REDIS_PORT, LOG_LEVEL`

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  })
  const command = positionals[0]
  if (values.help || positionals.length !== 1 || !['up', 'down', 'status'].includes(command ?? '')) {
    process.stderr.write(`${USAGE}\n`)
    return values.help ? 0 : 2
  }

  const config = loadConfig(process.env)
  const logger = createCliLogger(config.logLevel, values.json)
  const services = localServicesOptions(config)
  const print = (human: string, data: unknown) =>
    process.stdout.write(`${values.json ? JSON.stringify(data, null, 2) : human}\n`)

  switch (command) {
    case 'up': {
      // Strict: a port held by something we did not start is an error here, not silently reused.
      const started = await startLocalServices({
        ...services,
        reuseRunning: false,
        logger,
      })
      const { stop: _stop, ...result } = started
      print(formatUp(started, config.dataDir), { ...result, dataDir: config.dataDir })
      return 0
    }
    case 'down': {
      const result = await stopLocalServices({ ...services, logger })
      print(formatDown(result), result)
      return 0
    }
    default: {
      const status = await localServicesStatus(services)
      print(formatStatus(status), status)
      return 0
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const code = isFreshetError(err) ? err.code : 'INTERNAL'
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`error [${code}] ${message}\n`)
    // Causes carry the underlying reason (kafkajs, ioredis, errno); their first lines are enough here.
    let cause = code === 'CONFIG_INVALID' || !(err instanceof Error) ? undefined : err.cause
    for (let depth = 0; cause instanceof Error && depth < 3; depth++, cause = cause.cause) {
      process.stderr.write(`  cause: ${cause.message.split('\n')[0]}\n`)
    }
    process.exitCode = 1
  },
)
