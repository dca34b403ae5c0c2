/**
 * A server process for the serving bench, so the load generator and the server do not share an event loop.
 * argv[2]: JSON `{ mode: 'eta' | 'hello', redisUrl, modelDir, keyPrefix, registryKey, apiKey }`.
 * Prints `{"port":N}` once listening; SIGTERM stops it.
 */
import { type OpenServingOptions, openServing } from '@freshet/serving'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { pino } from 'pino'

const args = JSON.parse(process.argv[2] ?? '{}') as {
  mode: 'eta' | 'hello'
  redisUrl: string
  modelDir: string
  keyPrefix: string
  registryKey: string
  apiKey: string
}

let fetch: (request: Request) => Response | Promise<Response>
let close = async () => {}
if (args.mode === 'hello') {
  const app = new Hono()
  app.get('/hello', (c) => c.text('Hello Hono!'))
  fetch = app.fetch
} else {
  const options: OpenServingOptions = {
    redisUrl: args.redisUrl,
    modelDir: args.modelDir,
    keyPrefix: args.keyPrefix,
    registryKey: args.registryKey,
    apiKeys: [{ key: args.apiKey, scopes: ['predict'] }],
    // As deployed: a request line per request at info, written asynchronously (here to /dev/null).
    logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
    // The limiter runs, with a budget the bench does not reach.
    rateLimit: { windowMs: 60_000, limit: 1_000_000_000 },
  }
  const serving = await openServing(options)
  fetch = serving.app.fetch
  close = () => serving.close()
}

const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`)
})
process.once('SIGTERM', () => {
  server.close()
  void close().then(() => process.exit(0))
})
