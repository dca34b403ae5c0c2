import { createServer } from 'node:net'
import { FreshetError } from '@freshet/feature-store'

/**
 * Whether nothing is listening on host:port, tested by binding it briefly (a connect test would miss a
 * listener that drops connections, and would race with one that is half-way through starting).
 */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false)
      else reject(err)
    })
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true))
    })
  })
}

/** Throws `PORT_IN_USE` naming every busy port, so a clash is reported before a slow JVM start. */
export async function assertPortsFree(
  service: string,
  host: string,
  ports: Readonly<Record<string, number>>,
): Promise<void> {
  const busy: string[] = []
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(host, port))) busy.push(`${name} ${host}:${port}`)
  }
  if (busy.length > 0) {
    throw new FreshetError(
      'PORT_IN_USE',
      `cannot start ${service}: ${busy.join(', ')} already in use by another process ` +
        `(not one started by freshet infra from this data dir); stop it or choose other ports`,
    )
  }
}
