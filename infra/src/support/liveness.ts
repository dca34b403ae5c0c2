import { readFile } from 'node:fs/promises'

/**
 * Whether `pid` is a live process. A zombie (exited, not yet reaped) counts as dead: a detached child
 * of this very process can linger as one until Node reaps it, and must not look "still running".
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM means it exists but belongs to someone else: alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 3 is the state; the command name before it is parenthesised and may contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true // no procfs (not Linux): trust kill(0)
  }
}

/**
 * Whether `pid` is alive and its command line contains every marker. Guards against pid reuse: a pid
 * file left behind by a crash may name an unrelated process by the time we read it.
 */
export async function isProcessRunning(pid: number, markers: readonly string[]): Promise<boolean> {
  if (!(await isAlive(pid))) return false
  let cmdline: string
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
  } catch {
    return true // no procfs: cannot check identity, assume ours
  }
  return markers.every((marker) => cmdline.includes(marker))
}
