/**
 * `npm run asyncapi [-- --json] [--out <file>]`: writes the AsyncAPI document of the topic catalog, by default to
 * docs/asyncapi.yaml at the repository root (docs/asyncapi.json with --json).
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildAsyncApiDocument, renderAsyncApi } from './generate.js'

/** Repository root, so the default output lands in docs/ whatever the working directory. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

const USAGE = 'usage: npm run asyncapi [-- --json] [--out <file>]'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const format = values.json ? 'json' : 'yaml'
  const out = values.out ? resolve(values.out) : resolve(REPO_ROOT, 'docs', `asyncapi.${format}`)
  const doc = buildAsyncApiDocument()
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, renderAsyncApi(doc, format))
  const rel = relative(process.cwd(), out)
  const shown = rel.startsWith('..') ? out : rel
  console.log(
    `wrote ${shown} (AsyncAPI ${doc.asyncapi}, ${Object.keys(doc.channels).length} channels, ` +
      `${Object.keys(doc.components.messages).length} messages)`,
  )
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  console.error(USAGE)
  process.exitCode = 1
})
