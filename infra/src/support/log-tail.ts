import { open } from 'node:fs/promises'

/**
 * The last `lines` lines of a (possibly large) log file, or '' when it does not exist.
 * Reads only the end of the file so a long-running service's log costs nothing to quote.
 */
export async function tailFile(path: string, lines = 40, maxBytes = 64 * 1024): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(path, 'r')
    const { size } = await handle.stat()
    const length = Math.min(size, maxBytes)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    return buffer.toString('utf8').split('\n').slice(-lines).join('\n').trim()
  } catch {
    return ''
  } finally {
    await handle?.close()
  }
}
