// `npm test`: install what is missing, bring up real services (fixture: endpoints | testcontainers | local), and
// run every vitest project against them. Extra arguments go to vitest (e.g. `npm test -- pipelines/src/kafka`).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureInstall } from './ensure-install.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
ensureInstall(root)
const bin = (name) => join(root, 'node_modules', '.bin', name)
const started = Date.now()
const result = spawnSync(
  bin('tsx'),
  ['test/src/with-services.ts', '--', bin('vitest'), 'run', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
)
console.log(`[freshet] npm test finished in ${((Date.now() - started) / 1000).toFixed(0)} s`)
process.exit(result.status ?? 1)
