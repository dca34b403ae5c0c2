import { createConnection, createServer, type Socket } from 'node:net'

/**
 * A TCP proxy that delays every chunk by `delayMs` in each direction, so each network round trip costs at least
 * `2 * delayMs`: timing a call through it counts the round trips the call makes.
 *
 * @example
 * const proxy = await startLatencyProxy({ host: '127.0.0.1', port: 16379 }, 100)
 * // connect to redis://127.0.0.1:${proxy.port}
 * await proxy.close()
 */
export async function startLatencyProxy(
  upstream: { host: string; port: number },
  delayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  // Equal delays keep chunk order: Node fires timers of the same duration in the order they were set.
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs))
    from.on('close', () => setTimeout(() => to.destroy(), delayMs))
  }
  const server = createServer((client) => {
    const server = createConnection(upstream)
    track(client)
    track(server)
    forward(client, server)
    forward(server, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
