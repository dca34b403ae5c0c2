import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'
import { tailFile } from './log-tail.js'

export interface WaitReadyOptions<T> {
  service: string
  /** Resolves once the service answers; rejections mean "not yet". */
  probe: () => Promise<T>
  /** Returns a reason when the process is gone, so we fail at once instead of at the timeout. */
  exitReason: () => Promise<string | null> | string | null
  timeoutMs: number
  intervalMs?: number
  /** Quoted in the error when the service exits or never becomes ready. */
  logFile: string
}

/** Polls a real health probe (never a fixed sleep) until it answers, the process dies, or time runs out. */
export async function waitReady<T>(options: WaitReadyOptions<T>): Promise<T> {
  const { service, probe, exitReason, timeoutMs, intervalMs = 250, logFile } = options
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    const exited = await exitReason()
    if (exited !== null) {
      const tail = await tailFile(logFile)
      throw new FreshetError(
        'SERVICE_EXITED',
        `${service} exited during start-up (${exited}); last lines of ${logFile}:\n${tail}`,
        { cause: lastError },
      )
    }
    try {
      return await probe()
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const tail = await tailFile(logFile)
      throw new FreshetError(
        'SERVICE_NOT_READY',
        `${service} did not become ready within ${timeoutMs} ms; last lines of ${logFile}:\n${tail}`,
        { retriable: true, cause: lastError },
      )
    }
    await sleep(intervalMs)
  }
}
