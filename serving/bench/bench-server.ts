/**
 * A server process for the serving bench, so the load generator and the server do not share an event loop.
 * argv[2]: JSON `{ mode: 'eta' | 'hello' | 'floor', redisUrl, modelDir, keyPrefix, registryKey, apiKey,
 * floorResponse? }`. Prints `{"port":N}` once listening; SIGTERM stops it.
 *
 * - `eta`: the ETA API as deployed (auth, rate limiter, request log, metrics, validation).
 * - `hello`: a Hono hello-world route.
 * - `floor`: the HTTP work any `/v1/eta` must do and nothing else: parse the JSON body and answer with a body of
 *   the real one's shape and size (`floorResponse`, a captured `/v1/eta` answer). No Redis, no model, no auth,
 *   validation, logs or metrics: an upper bound on the req/s of any implementation of the contract.
 */
import { jsonBody, type OpenServingOptions, openServing } from '@freshet/serving'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { pino } from 'pino'

const args = JSON.parse(process.argv[2] ?? '{}') as {
  mode: 'eta' | 'hello' | 'floor'
  redisUrl: string
  modelDir: string
  keyPrefix: string
  registryKey: string
  apiKey: string
  floorResponse?: string
}

let fetch: (request: Request) => Response | Promise<Response>
let close = async () => {}
if (args.mode === 'hello') {
  const app = new Hono()
  app.get('/hello', (c) => c.text('Hello Hono!'))
  fetch = app.fetch
} else if (args.mode === 'floor') {
  const template = JSON.parse(args.floorResponse ?? '{}') as Record<string, unknown>
  const app = new Hono()
  // The service's own body reader: Hono's default builds a WHATWG Request and web stream per request.
  app.use('/v1/*', jsonBody(16 * 1024))
  app.post('/v1/eta', async (c) => {
    const body = (await c.req.json()) as { carId: string }
    return c.json({ ...template, carId: body.carId, readAt: Date.now() })
  })
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
