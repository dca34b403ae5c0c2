// `npm run bench -- <name> [--json] [bench flags]`: install what is missing, bring up real services (the same
// fixture as `npm test`) and run one benchmark against them. Benchmarks are not part of `npm test`.
// Under --json the bench's JSON line is the only thing on this script's stdout (use `npm run -s` to drop npm's
// own banner); everything else goes to stderr.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ensureInstall } from './ensure-install.mjs'

/** Bench name → entry file (relative to the repo root). A new bench is one line here. */
const BENCHES = {
  pipeline: 'pipelines/bench/pipeline.ts',
  backfill: 'pipelines/bench/backfill.ts',
  serving: 'serving/bench/serving.ts',
  offline: 'sinks/bench/offline.ts',
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [name, ...flags] = process.argv.slice(2)
const entry = Object.hasOwn(BENCHES, name ?? '') ? BENCHES[name] : undefined
if (entry === undefined) {
  const known = Object.keys(BENCHES).join(', ')
  console.error(
    name === undefined || name.startsWith('-')
      ? `usage: npm run bench -- <name> [--json] [bench flags]   (benches: ${known})`
      : `unknown bench '${name}'; benches: ${known}`,
  )
  process.exit(2)
}
if (!existsSync(join(root, entry))) {
  console.error(`bench '${name}' is listed but ${entry} does not exist`)
  process.exit(2)
}

ensureInstall(root)
const json = flags.includes('--json')
const bin = (tool) => join(root, 'node_modules', '.bin', tool)
const child = spawn(bin('tsx'), ['test/src/with-services.ts', '--', bin('tsx'), entry, ...flags], {
  cwd: root,
  stdio: ['inherit', json ? 'pipe' : 'inherit', 'inherit'],
})
if (json) {
  // The services fixture logs to stdout: keep only JSON objects there.
  createInterface({ input: child.stdout }).on('line', (line) =>
    (line.startsWith('{') ? process.stdout : process.stderr).write(`${line}\n`),
  )
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
