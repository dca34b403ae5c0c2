#!/usr/bin/env node
// `freshet <command> [args]` (`npx freshet …` or `npm run freshet -- …`): one entry point for Freshet's command
// lines. Each command is a TypeScript entry file run with tsx in the caller's directory, arguments passed on.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureInstall } from './ensure-install.mjs'

/** Command words → entry file (relative to the repo root) and a one-line summary. A new command is one line. */
const COMMANDS = [
  [
    'pipeline test',
    'pipelines/src/driver/cli.ts',
    'run a feature view over an events file, offline (--help)',
  ],
  // Before `views`: the first entry whose words match runs.
  [
    'views promote',
    'infra/src/cli/views-promote.ts',
    'promote a view version to serve its bare name (--help)',
  ],
  ['views', 'infra/src/cli/views.ts', "register the code's feature views and list the registry (--help)"],
  [
    'training-set',
    'infra/src/cli/training-set.ts',
    'point-in-time training set from the offline store (--help)',
  ],
  [
    'backfill',
    'infra/src/cli/backfill.ts',
    'replay history into the stores: start, status, cancel, list (--help)',
  ],
]

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const command = COMMANDS.find(([words]) => {
  const parts = words.split(' ')
  return parts.every((word, i) => args[i] === word)
})

if (command === undefined) {
  const width = Math.max(...COMMANDS.map(([words]) => words.length))
  const list = COMMANDS.map(([words, , summary]) => `  ${words.padEnd(width)}  ${summary}`).join('\n')
  const help = ['help', '--help', '-h'].includes(args[0])
  const problem = help || args.length === 0 ? '' : `unknown command '${args.join(' ')}'\n\n`
  ;(help ? process.stdout : process.stderr).write(`${problem}usage: freshet <command> [args]\n\n${list}\n`)
  process.exit(help ? 0 : 2)
}

const [words, entry] = command
if (!existsSync(join(root, entry))) {
  console.error(`command '${words}' is listed but ${entry} does not exist`)
  process.exit(2)
}
ensureInstall(root)
const result = spawnSync(
  join(root, 'node_modules', '.bin', 'tsx'),
  [join(root, entry), ...args.slice(words.split(' ').length)],
  { stdio: 'inherit' },
)
if (result.error) console.error(`freshet ${words}: ${result.error.message}`)
process.exit(result.status ?? 1)
