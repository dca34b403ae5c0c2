import { readFile, rm } from 'node:fs/promises'
import { writeFileAtomic } from './write-file-atomic.js'

/** The pid recorded in `path`, or null when the file is missing or unreadable. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

export async function writePidFile(path: string, pid: number): Promise<void> {
  await writeFileAtomic(path, `${pid}\n`)
}

export async function removePidFile(path: string): Promise<void> {
  await rm(path, { force: true })
}
