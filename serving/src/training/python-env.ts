import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FreshetError } from '@freshet/feature-store'

export interface PythonEnvOptions {
  /** Where the virtual environment lives, e.g. `.freshet/venv`. */
  venvDir: string
  /** The pinned requirements file (serving/model/requirements.txt). */
  requirements: string
  /** The interpreter that creates the venv. Default `python3`. */
  python?: string
  /** Progress lines ("creating …", pip's errors); default: none. */
  log?: (line: string) => void
}

/** A ready environment: run scripts with `python`. */
export interface PythonEnv {
  python: string
  /** True when this call created it (a first run, or requirements.txt changed). */
  created: boolean
}

const STAMP = 'freshet-requirements.sha256'
const MIN_VERSION = [3, 10] as const

/**
 * Makes sure a virtual environment with exactly the pinned requirements exists, and returns its interpreter.
 * It is (re)built only when the stamp it keeps (sha256 of requirements.txt and the base interpreter's version)
 * differs, so every later call costs one file read. A build goes to a temporary dir that is renamed into place
 * when complete: an interrupted install never leaves a venv that looks ready, and two processes racing to build
 * it both end up with a complete one.
 *
 * @example
 * const { python } = await ensurePythonEnv({ venvDir: '.freshet/venv', requirements: 'serving/model/requirements.txt' })
 * await runPython(python, ['serving/model/train.py', '--spec', spec])
 */
export async function ensurePythonEnv(options: PythonEnvOptions): Promise<PythonEnv> {
  const { venvDir, requirements, python = 'python3', log = () => {} } = options
  const venvPython = join(venvDir, 'bin', 'python')
  const requirementsText = await readFile(requirements, 'utf8').catch((cause) => {
    throw new FreshetError('CONFIG_INVALID', `cannot read ${requirements}`, { cause })
  })
  const baseVersion = await interpreterVersion(python)
  const stamp = envStamp(baseVersion, requirementsText)
  const current = await readFile(join(venvDir, STAMP), 'utf8').catch(() => undefined)
  if (current?.trim() === stamp && existsSync(venvPython)) return { python: venvPython, created: false }

  log(`creating ${venvDir} (Python ${baseVersion}) and installing ${requirements}`)
  await mkdir(dirname(venvDir), { recursive: true })
  const building = `${venvDir}.building-${process.pid}`
  await rm(building, { recursive: true, force: true })
  try {
    await run(python, ['-m', 'venv', building], log)
    // Always through `python -m pip`: a renamed venv keeps working, its scripts' shebangs would not.
    await run(
      join(building, 'bin', 'python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', requirements],
      log,
    )
    await writeFile(join(building, STAMP), `${stamp}\n`)
    await rm(venvDir, { recursive: true, force: true })
    await rename(building, venvDir)
  } catch (err) {
    await rm(building, { recursive: true, force: true })
    throw err
  }
  return { python: venvPython, created: true }
}

/**
 * What a venv is built from: the base interpreter's version and the requirements, byte for byte.
 *
 * @example
 * envStamp('3.11.7', 'numpy==2.4.6\n') // 64 hex digits
 */
export function envStamp(pythonVersion: string, requirementsText: string): string {
  return createHash('sha256').update(`${pythonVersion}\n${requirementsText}`).digest('hex')
}

/**
 * Runs a Python script to completion; its output goes to `log` line by line. Rejects with the last lines of
 * output when it exits non-zero.
 *
 * @example
 * await runPython(python, ['serving/model/train.py', '--spec', 'spec.json'], console.log)
 */
export function runPython(
  python: string,
  args: readonly string[],
  log?: (line: string) => void,
): Promise<void> {
  return run(python, args, log ?? (() => {}))
}

async function interpreterVersion(python: string): Promise<string> {
  let out = ''
  await run(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], (line) => {
    out += line
  }).catch((cause) => {
    throw new FreshetError(
      'CONFIG_INVALID',
      `training needs Python ${MIN_VERSION.join('.')}+ as '${python}' (set FRESHET_PYTHON to use another)`,
      { cause },
    )
  })
  const [major = 0, minor = 0] = out.trim().split('.').map(Number)
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `training needs Python ${MIN_VERSION.join('.')}+, '${python}' is ${out}`,
    )
  }
  return out.trim()
}

function run(command: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    const tail: string[] = []
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue
        log(line)
        tail.push(line)
        if (tail.length > 20) tail.shift()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (cause) =>
      reject(new FreshetError('INTERNAL', `cannot run ${command}: ${cause.message}`, { cause })),
    )
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`
        reject(new FreshetError('INTERNAL', `${command} ${args.join(' ')} ${why}:\n${tail.join('\n')}`))
      }
    })
  })
}
