import { randomBytes } from 'node:crypto'
import { rename, writeFile } from 'node:fs/promises'

/**
 * Writes through a temporary file and a rename, so a concurrent reader (another `up`, a test worker)
 * never sees a half-written config or pid file.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, content)
  await rename(tmp, path)
}
