import { ProblemError } from './problem.js'

/**
 * The chunks of a request body, failing with a 413 {@link ProblemError} as soon as more than `maxBytes` arrive.
 * Counting as the body streams (instead of trusting Content-Length, which a chunked upload has none of) keeps
 * a large label upload from being buffered before it is refused; a declared length over the limit is refused
 * before anything is read.
 *
 * @example
 * for await (const chunk of limitedChunks(request, 64 << 20)) decoder.write(chunk)
 */
export async function* limitedChunks(request: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) return
  let size = 0
  // Leaving the loop early (too large, or the consumer stopped) cancels the stream: the rest is never read.
  for await (const chunk of request.body) {
    size += chunk.byteLength
    if (size > maxBytes) throw tooLarge(maxBytes)
    yield chunk
  }
}

/**
 * The body as UTF-8 text pieces, split anywhere (a multi-byte character is never cut in two).
 *
 * @example
 * for await (const text of textChunks(limitedChunks(request, max))) parser.push(text)
 */
export async function* textChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    for await (const chunk of chunks) {
      const text = decoder.decode(chunk, { stream: true })
      if (text !== '') yield text
    }
    const rest = decoder.decode()
    if (rest !== '') yield rest
  } catch (err) {
    if (err instanceof TypeError) throw new ProblemError('invalid-request', 'the body is not valid UTF-8')
    throw err
  }
}

/**
 * Lines of a text stream (LF or CRLF), each with its 1-based number; a last line without a newline counts.
 *
 * @example
 * for await (const { line, text } of lines(textChunks(chunks))) JSON.parse(text)
 */
export async function* lines(text: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let rest = ''
  let line = 0
  for await (const piece of text) {
    const parts = (rest + piece).split('\n')
    rest = parts.pop() ?? ''
    for (const part of parts) yield { line: ++line, text: part.endsWith('\r') ? part.slice(0, -1) : part }
  }
  if (rest !== '') yield { line: ++line, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest }
}

/**
 * Reads and parses a JSON body of at most `maxBytes`.
 *
 * @example
 * const body = await readJsonBody(c.req.raw, 64 << 20)
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  let text = ''
  for await (const piece of textChunks(limitedChunks(request, maxBytes))) text += piece
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new ProblemError('invalid-request', `the body is not valid JSON: ${(err as Error).message}`)
  }
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    'payload-too-large',
    `the request body exceeds ${maxBytes} bytes; send fewer labels per request, or a time-range spine`,
  )
}
