import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensurePythonEnv, envStamp, runPython } from './python-env.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshet-python-env-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ensurePythonEnv', () => {
  it('builds the venv once and reuses it while requirements.txt is unchanged', async () => {
    // Nothing to download: the requirements only pin what a fresh venv already has.
    const requirements = join(dir, 'requirements.txt')
    await writeFile(requirements, '# nothing yet\n')
    const venvDir = join(dir, 'venv')
    const first = await ensurePythonEnv({ venvDir, requirements })
    expect(first).toEqual({ python: join(venvDir, 'bin', 'python'), created: true })
    const lines: string[] = []
    await runPython(first.python, ['-c', 'import sys; print(sys.prefix)'], (l) => lines.push(l))
    expect(lines).toEqual([venvDir])

    expect((await ensurePythonEnv({ venvDir, requirements })).created).toBe(false)
  }, 120_000)

  it('stamps a venv with the interpreter version and the exact requirements, so any change rebuilds it', () => {
    const stamp = envStamp('3.11.7', 'numpy==2.4.6\n')
    expect(stamp).toMatch(/^[0-9a-f]{64}$/)
    expect(envStamp('3.11.7', 'numpy==2.4.6\n')).toBe(stamp)
    expect(envStamp('3.11.7', 'numpy==2.4.5\n')).not.toBe(stamp)
    expect(envStamp('3.12.1', 'numpy==2.4.6\n')).not.toBe(stamp)
  })

  it('fails with the tail of the output when a script fails, and clearly when there is no interpreter', async () => {
    await expect(runPython('python3', ['-c', 'raise SystemExit("bad spec")'])).rejects.toThrow(
      /exited with 1:\nbad spec/,
    )
    await expect(
      ensurePythonEnv({
        venvDir: join(dir, 'none'),
        requirements: join(dir, 'requirements.txt'),
        python: 'no-such-python',
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/FRESHET_PYTHON/) })
  })
})
