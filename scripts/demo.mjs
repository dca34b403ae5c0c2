// `npm run demo`: install what is missing, then run the demo (local services, simulator, live pipeline output).
// Arguments go to the demo, e.g. `npm run demo -- --duration 2m --cars 100`.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureInstall } from './ensure-install.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
ensureInstall(root)
const result = spawnSync(
  join(root, 'node_modules', '.bin', 'tsx'),
  ['infra/src/demo/main.ts', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
)
process.exit(result.status ?? 1)
