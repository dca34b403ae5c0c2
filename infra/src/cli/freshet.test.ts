import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function freshet(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/freshet.mjs', ...args], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

// scripts/freshet.mjs: the `freshet` command dispatcher (`npx freshet …`, `npm run freshet -- …`).
describe('freshet dispatcher', () => {
  it('lists its commands and exits 2 on an unknown or missing command', async () => {
    for (const args of [['trainingset'], ['pipeline'], []]) {
      const run = await freshet(args)
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/usage: freshet <command> \[args\]\n\n {2}pipeline test .*\n {2}views /)
    }
    expect((await freshet(['trainingset'])).stderr).toContain("unknown command 'trainingset'")
  })

  it('prints the same list for --help, exiting 0', async () => {
    const run = await freshet(['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('usage: freshet <command> [args]')
  })

  it('runs a command with the rest of the arguments', async () => {
    const pipeline = await freshet(['pipeline', 'test', '--list'])
    expect(pipeline.code, pipeline.stderr).toBe(0)
    expect(pipeline.stdout).toMatch(/^car_motion:v1\t/m)
    const views = await freshet(['views', '--help'])
    expect(views.code).toBe(0)
    expect(views.stdout).toContain('usage: freshet views [--json] [--redis-url URL] [--registry-key KEY]')
  })
})
