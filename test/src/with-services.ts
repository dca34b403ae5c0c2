/**
 * Runs a command (the test runner) with real services: acquires them through the shared fixture, exports their
 * endpoints as KAFKA_BROKERS / REDIS_URL / CLICKHOUSE_URL, and releases them afterwards.
 *
 *   tsx test/src/with-services.ts -- vitest run
 */
import { spawn } from 'node:child_process'
import { acquireServices } from './services.js'

const dash = process.argv.indexOf('--')
const command = dash === -1 ? [] : process.argv.slice(dash + 1)
if (command.length === 0) {
  console.error('usage: with-services.ts -- <command> [args...]')
  process.exit(2)
}

const started = Date.now()
const services = await acquireServices()
console.log(
  `[freshet] services (${services.mode}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
    `kafka ${services.kafkaBrokers.join(',')}, redis ${services.redisUrl}, clickhouse ${services.clickhouseUrl ?? 'embedded chDB'}`,
)

let code = 1
try {
  code = await new Promise<number>((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      stdio: 'inherit',
      env: {
        ...process.env,
        KAFKA_BROKERS: services.kafkaBrokers.join(','),
        REDIS_URL: services.redisUrl,
        ...(services.clickhouseUrl ? { CLICKHOUSE_URL: services.clickhouseUrl } : {}),
      },
    })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
    child.on('error', reject)
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
  })
} finally {
  await services.release()
}
process.exit(code)
