/**
 * The offline test driver's command line: run a feature view over an events file and write its feature
 * records, or write an events file from the simulator. No Kafka, no services; see USAGE in cli-args.ts.
 *
 *   tsx pipelines/src/driver/cli.ts --generate --cars 10 --duration 30m --seed 1 --out events.jsonl
 *   tsx pipelines/src/driver/cli.ts --view car_motion:v1 --events events.jsonl --out features.jsonl
 */
import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { isFreshetError } from '@freshet/feature-store'
import { featureViews } from '../features/index.js'
import { simulate } from '../simulator/simulation.js'
import { type DriverCliArgs, findView, parseDriverArgs, USAGE } from './cli-args.js'
import { eventFileLines, readJsonlEvents, writeLines } from './jsonl-events.js'
import { runTestDriver } from './test-driver.js'

async function main(argv: readonly string[]): Promise<number> {
  let args: DriverCliArgs
  try {
    args = parseDriverArgs(argv)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(USAGE)
      return 0
    case 'list':
      for (const v of featureViews) {
        process.stdout.write(`${v.ref}\t${v.source.topic}\t${v.outputs.map((o) => o.name).join(', ')}\n`)
      }
      return 0
    case 'generate': {
      const events = simulate({
        seed: args.seed,
        cars: args.cars,
        startMs: args.startMs,
        durationMs: args.durationMs,
      })
      await toFile(args.out, eventFileLines(events))
      return 0
    }
    case 'run':
      return run(args)
  }
}

async function run(args: Extract<DriverCliArgs, { command: 'run' }>): Promise<number> {
  const view = findView(featureViews, args.view)
  const file = await readJsonlEvents(args.events, [view])
  const result = runTestDriver({
    views: [view],
    events: file.inputs,
    ...(args.partitions === undefined ? {} : { partitions: args.partitions }),
    ...(args.batchSize === undefined ? {} : { batchSize: args.batchSize }),
  })
  const lineOf = (input: number) => file.lines[input]
  // processedAt is the one wall-clock field: left out, so the same input always gives the same file.
  await toFile(
    args.out,
    jsonLines(result.features, (r) => ({ ...r, processedAt: undefined })),
  )
  if (args.deadLetters !== undefined) {
    await toFile(
      args.deadLetters,
      jsonLines(result.deadLetters, (d) => ({
        line: lineOf(d.input),
        code: d.code,
        reason: d.reason,
        value: d.record.value?.toString('utf8') ?? null,
      })),
    )
  }
  if (args.late !== undefined) {
    await toFile(
      args.late,
      jsonLines(result.late, (l) => ({
        line: lineOf(l.input),
        view: l.view,
        windows: l.windows,
        watermark: l.watermark,
      })),
    )
  }

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const skipped =
    file.otherSchema.length > 0 ? ` (${file.otherSchema.length} lines of other schemas skipped)` : ''
  log(
    `${view.ref}: ${file.inputs.length} events over ${result.partitions[view.source.topic]} partitions${skipped} → ` +
      `${result.features.length} feature records, ${result.late.length} late, ${result.deadLetters.length} dead letters`,
  )
  for (const d of result.deadLetters.slice(0, 5)) log(`  line ${lineOf(d.input)}: ${d.code} ${d.reason}`)
  if (result.deadLetters.length > 5)
    log(`  … ${result.deadLetters.length - 5} more (--dead-letters FILE lists all)`)
  if (result.splitWindows.length > 0) {
    log(
      `warning: ${result.splitWindows.length} windows were computed piecewise on several partitions (the view's ` +
        `key is not the topic's message key; the runtime needs a repartition step). Run with --partitions 1 ` +
        `for whole-window values.`,
    )
  }
  return 0
}

function* jsonLines<T>(rows: Iterable<T>, shape: (row: T) => unknown): Generator<string> {
  for (const row of rows) yield JSON.stringify(shape(row))
}

async function toFile(path: string | undefined, lines: Iterable<string>): Promise<void> {
  if (path === undefined) {
    await writeLines(process.stdout, lines)
    return
  }
  const out: Writable = createWriteStream(path)
  await writeLines(out, lines)
  out.end()
  await finished(out)
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${isFreshetError(err) ? `${err.code}: ` : ''}${(err as Error).message}\n`)
  process.exitCode = 1
}
