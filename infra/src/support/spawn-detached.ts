import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { FreshetError } from '@freshet/feature-store'

export interface DetachedProcess {
  pid: number
  /** True once the process has exited (only observable while this Node process is alive). */
  hasExited(): boolean
  /** Exit code or signal, for error messages. */
  exitDescription(): string
}

/**
 * Starts a long-lived service in its own process group with stdout/stderr appended to `logFile`, and
 * lets this Node process exit without waiting for it: the service must outlive `npm run infra -- up`.
 */
export async function spawnDetached(
  service: string,
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string },
): Promise<DetachedProcess> {
  const fd = openSync(options.logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ['ignore', fd, fd] })
  } finally {
    closeSync(fd) // the child holds its own copy
  }
  // spawn reports ENOENT/EACCES asynchronously; wait for either 'spawn' or 'error' before returning.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', (err) =>
      reject(new FreshetError('SERVICE_EXITED', `could not spawn ${service} (${command})`, { cause: err })),
    )
  })
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new FreshetError('SERVICE_EXITED', `${service} did not get a pid`)
  return {
    pid,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    exitDescription: () =>
      child.signalCode !== null ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`,
  }
}
