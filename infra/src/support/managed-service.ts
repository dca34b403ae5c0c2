import { readFile } from 'node:fs/promises'
import { type ErrorCode, FreshetError } from '@freshet/feature-store'
import { isAlive, isProcessRunning } from './liveness.js'
import type { Logger } from './logger.js'
import { readPidFile, removePidFile, writePidFile } from './pid-file.js'
import { assertPortsFree } from './ports.js'
import { spawnDetached } from './spawn-detached.js'
import { stopProcess } from './stop-process.js'
import { waitReady } from './wait-ready.js'
import { writeFileAtomic } from './write-file-atomic.js'

/**
 * What Kafka and Redis have in common: a pid file, a generated config, a detached process whose log we
 * keep, ports that must be free, and a real health probe. Each service only supplies these facts.
 */
export interface ManagedService<P> {
  /** Name used in messages and logs: 'kafka', 'redis'. */
  service: string
  /** Directory the process runs in. */
  cwd: string
  pidFile: string
  logFile: string
  /** The generated config. A running process started with different content is a conflict, not a reuse. */
  config: { path: string; content: string }
  /** Substrings of the process command line that identify our process (guards against pid reuse). */
  markers: readonly string[]
  host: string
  ports: Readonly<Record<string, number>>
  /** Resolves when the service answers; rejects otherwise. */
  probe: () => Promise<P>
  readyTimeoutMs: number
  stopTimeoutMs: number
  logger: Logger
}

export interface LaunchSpec {
  command: string
  args: readonly string[]
  /** Error code raised when `command` is not installed. */
  missingCode: ErrorCode
}

export interface StartOutcome<P> {
  pid: number
  /** True when a process started earlier from the same data dir was reused (idempotent `up`). */
  alreadyRunning: boolean
  probe: P
  /** Spawn-to-ready time; 0 when already running. */
  readyMs: number
}

export interface StopOutcome {
  /** False when nothing of ours was running. */
  wasRunning: boolean
  pid: number | null
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  forced: boolean
  tookMs: number
}

export interface StatusOutcome<P> {
  state: 'running' | 'stopped'
  pid: number | null
  /** Probe answer while running; null when stopped or unhealthy. */
  probe: P | null
  /** Why the probe failed while the process is running (starting up, wedged, ...). */
  probeError: string | null
}

/**
 * Starts the service unless our process from the same data dir already runs (then reuses it).
 * `prepare` runs after the port check and config write, and returns what to launch.
 */
export async function startManaged<P>(
  spec: ManagedService<P>,
  prepare: () => Promise<LaunchSpec>,
): Promise<StartOutcome<P>> {
  const { service, logger } = spec
  const existing = await runningPid(spec)
  if (existing !== null) {
    const current = await readFile(spec.config.path, 'utf8').catch(() => '')
    if (current !== spec.config.content) {
      throw new FreshetError(
        'SERVICE_CONFLICT',
        `${service} is already running from this data dir (pid ${existing}) with a different configuration ` +
          `(${spec.config.path}); run \`down\` first to change ports or settings`,
      )
    }
    logger.info({ service, pid: existing }, `${service} already running; waiting for it to answer`)
    const probe = await waitReady({
      service,
      probe: spec.probe,
      exitReason: async () => ((await isAlive(existing)) ? null : `pid ${existing} is gone`),
      timeoutMs: spec.readyTimeoutMs,
      logFile: spec.logFile,
    })
    return { pid: existing, alreadyRunning: true, probe, readyMs: 0 }
  }

  await assertPortsFree(service, spec.host, spec.ports)
  await writeFileAtomic(spec.config.path, spec.config.content)
  const launch = await prepare()

  const startedAt = Date.now()
  logger.info({ service, command: launch.command, log: spec.logFile }, `starting ${service}`)
  let child: Awaited<ReturnType<typeof spawnDetached>>
  try {
    child = await spawnDetached(service, launch.command, launch.args, {
      cwd: spec.cwd,
      logFile: spec.logFile,
    })
  } catch (err) {
    if ((err as Error).cause instanceof Error && isEnoent((err as Error).cause)) {
      throw new FreshetError(launch.missingCode, `${launch.command} is not installed or not on PATH`, {
        cause: err,
      })
    }
    throw err
  }
  await writePidFile(spec.pidFile, child.pid)

  try {
    const probe = await waitReady({
      service,
      probe: spec.probe,
      exitReason: () => (child.hasExited() ? child.exitDescription() : null),
      timeoutMs: spec.readyTimeoutMs,
      logFile: spec.logFile,
    })
    const readyMs = Date.now() - startedAt
    logger.info({ service, pid: child.pid, readyMs }, `${service} ready`)
    return { pid: child.pid, alreadyRunning: false, probe, readyMs }
  } catch (err) {
    // Never leave a half-started service behind: the next `up` would mistake it for a healthy one.
    if (!child.hasExited()) await stopProcess(service, child.pid, { graceMs: 5_000 }).catch(() => {})
    await removePidFile(spec.pidFile)
    throw err
  }
}

/** Stops our process (SIGTERM, then SIGKILL after `stopTimeoutMs`) and removes the pid file. */
export async function stopManaged<P>(spec: ManagedService<P>): Promise<StopOutcome> {
  const startedAt = Date.now()
  const pid = await runningPid(spec)
  if (pid === null) {
    await removePidFile(spec.pidFile) // stale or absent
    return { wasRunning: false, pid: null, forced: false, tookMs: Date.now() - startedAt }
  }
  spec.logger.info({ service: spec.service, pid }, `stopping ${spec.service}`)
  const { forced } = await stopProcess(spec.service, pid, { graceMs: spec.stopTimeoutMs })
  await removePidFile(spec.pidFile)
  const tookMs = Date.now() - startedAt
  spec.logger.info({ service: spec.service, pid, forced, tookMs }, `${spec.service} stopped`)
  return { wasRunning: true, pid, forced, tookMs }
}

/** Whether our process runs, and what its probe says. Never throws for an unhealthy service. */
export async function managedStatus<P>(spec: ManagedService<P>): Promise<StatusOutcome<P>> {
  const pid = await runningPid(spec)
  if (pid === null) return { state: 'stopped', pid: null, probe: null, probeError: null }
  try {
    return { state: 'running', pid, probe: await spec.probe(), probeError: null }
  } catch (err) {
    return { state: 'running', pid, probe: null, probeError: (err as Error).message }
  }
}

/** The pid from our pid file if that process is alive and really ours; null otherwise. */
async function runningPid<P>(spec: ManagedService<P>): Promise<number | null> {
  const pid = await readPidFile(spec.pidFile)
  if (pid === null) return null
  return (await isProcessRunning(pid, spec.markers)) ? pid : null
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
}
