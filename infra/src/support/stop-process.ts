import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'
import { isAlive } from './liveness.js'

export interface StopProcessOptions {
  /** How long to wait after SIGTERM for a graceful exit before SIGKILL. */
  graceMs: number
  pollMs?: number
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves with whether the kill had to be forced. */
export async function stopProcess(
  service: string,
  pid: number,
  options: StopProcessOptions,
): Promise<{ forced: boolean }> {
  const pollMs = options.pollMs ?? 100
  if (!signal(pid, 'SIGTERM')) return { forced: false }
  if (await waitExit(pid, options.graceMs, pollMs)) return { forced: false }
  signal(pid, 'SIGKILL')
  if (await waitExit(pid, 5_000, pollMs)) return { forced: true }
  throw new FreshetError('SERVICE_STOP_FAILED', `${service} (pid ${pid}) survived SIGKILL`, {
    retriable: true,
  })
}

/** Sends a signal; false when the process was already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

async function waitExit(pid: number, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true
    await sleep(pollMs)
  }
  return !(await isAlive(pid))
}
