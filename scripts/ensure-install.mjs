// Installs the workspace's npm dependencies when they are missing or older than the lockfile, so the two
// quick-start commands work on a fresh clone. Plain Node (no dependencies): it runs before anything is installed.
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

export function ensureInstall(root) {
  const marker = join(root, 'node_modules', '.package-lock.json')
  const lock = join(root, 'package-lock.json')
  const fresh =
    existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs)
  if (fresh) return
  console.log('[freshet] installing npm dependencies (first run)…')
  execFileSync('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  })
}
