import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` for the sink process. The same contract as
 * the engine's (pipelines/src/observability/metrics-server.ts), which @freshet/pipelines does not export.
 *
 * @example
 * const server = await serveMetrics(registry, { port: 9465 })
 */
export async function serveMetrics(
  registry: Registry,
  { port, host = '127.0.0.1' }: { port: number; host?: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType })
          res.end(body)
        })
        .catch((err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(err.message)
        })
      return
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"status":"ok"}')
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return server
}
