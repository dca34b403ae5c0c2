import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The monorepo root, found from this file's location (`<repo>/infra/src/support/`), not from the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Default local state dir, `<repo>/.freshet` (git-ignored). The CLI and library share it, so test
 * fixtures find the services `npm run infra -- up` started and reuse them.
 */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.freshet')

/** Default jar cache, `~/.cache/freshet`: shared by every checkout and data dir on the machine. */
export const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'freshet')
