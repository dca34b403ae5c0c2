import type { IncomingMessage } from 'node:http'
import { problem, problemResponse } from '@freshet/sinks'
import type { MiddlewareHandler } from 'hono'

/**
 * Reads a POST body of at most `maxBytes` (413 problem beyond that, refused before reading when Content-Length
 * says so) and hands it to Hono's body cache, where `c.req.json()` and the zod validator find it. Under
 * @hono/node-server it reads the Node request stream directly: going through `c.req.raw` would build a WHATWG
 * Request and a web stream for every request, which costs more CPU than scoring the model.
 *
 * @example
 * app.post('/v1/*', jsonBody(16 * 1024))
 */
export function jsonBody(
  maxBytes: number,
): MiddlewareHandler<{ Bindings: { incoming?: IncomingMessage }; Variables: { requestId: string } }> {
  const tooLarge = (requestId: string) =>
    problemResponse(problem('payload-too-large', `the request body exceeds ${maxBytes} bytes`), requestId)
  return async (c, next) => {
    if (c.req.method !== 'POST' && c.req.method !== 'PUT' && c.req.method !== 'PATCH') return next()
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    if (declared > maxBytes) return tooLarge(c.get('requestId'))
    const incoming = c.env?.incoming
    const text =
      incoming !== undefined && typeof incoming.on === 'function'
        ? await readIncoming(incoming, maxBytes)
        : await readStream(c.req.raw.body, maxBytes)
    if (text === undefined)
      return tooLarge(c.get('requestId'))
      // Hono keeps body promises in `bodyCache` (its type says values); `c.req.json()` parses this one.
    ;(c.req.bodyCache as Record<string, Promise<unknown>>).text = Promise.resolve(text)
    return next()
  }
}

/** The body as text, or undefined once it exceeds `maxBytes` (the rest is drained, not kept). */
function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
    })
    incoming.once('end', () =>
      resolve(
        size > maxBytes
          ? undefined
          : chunks.length === 1
            ? chunks[0]!.toString('utf8')
            : Buffer.concat(chunks).toString('utf8'),
      ),
    )
    incoming.once('error', reject)
  })
}

async function readStream(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string | undefined> {
  if (body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > maxBytes) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
