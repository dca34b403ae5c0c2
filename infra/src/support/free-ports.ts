import { createServer, type Server } from 'node:net'

/**
 * Distinct ports nothing listens on right now, picked by the OS. Tests use them so they never collide
 * with a developer's running services or with each other.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host, port: 0 }, resolve)
      })
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('no port assigned')
      ports.push(address.port)
    }
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  }
}
