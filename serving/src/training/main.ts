/**
 * `npm run train -- [--cars 80] [--hours 24] [--seed 7] [--from 2025-01-06T00:00:00Z] [--out serving/model]
 * [--work-dir dir]`: simulates history, builds the point-in-time training set, fits and exports the ETA model, and
 * writes model.onnx + model-card.json. Logs are pino JSON lines on stderr; the summary is one JSON line on stdout.
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isFreshetError } from '@freshet/feature-store'
import { pino } from 'pino'
import { z } from 'zod'
import { MODEL_DIR, trainEtaModel } from './train-eta.js'

const USAGE = `usage: npm run train -- [--cars N] [--hours H] [--seed S] [--from ISO] [--out DIR] [--work-dir DIR]

  --cars      fleet size of the simulated city (default 80)
  --hours     simulated history; the latest 20 % of legs is the holdout (default 24)
  --seed      simulator seed (default 7)
  --from      start of the history, ISO 8601 (default 2025-01-06T00:00:00Z: a whole Monday, both rush hours)
  --out       where model.onnx and model-card.json go (default serving/model)
  --work-dir  keep the training set, spec, holdout predictions and result here (default: a temp dir, removed)

env: FRESHET_DATA_DIR (the venv goes to <dir>/venv, default ./.freshet), FRESHET_PYTHON (default python3),
     LOG_LEVEL (default info)
`

const envSchema = z.object({
  FRESHET_DATA_DIR: z.string().min(1).default('.freshet'),
  FRESHET_PYTHON: z.string().min(1).default('python3'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
})

const argsSchema = z.object({
  cars: z.coerce.number().int().min(1).max(5000).default(80),
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 14)
    .default(24),
  seed: z.coerce.number().int().default(7),
  from: z.iso.datetime({ offset: true }).default('2025-01-06T00:00:00Z'),
  out: z.string().min(1).default(MODEL_DIR),
  'work-dir': z.string().min(1).optional(),
  help: z.boolean().default(false),
})

async function main(): Promise<number> {
  const env = envSchema.safeParse(process.env)
  if (!env.success) {
    process.stderr.write(`invalid environment: ${z.prettifyError(env.error)}\n`)
    return 2
  }
  let args: z.infer<typeof argsSchema>
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        cars: { type: 'string' },
        hours: { type: 'string' },
        seed: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        'work-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    args = argsSchema.parse(values)
  } catch (err) {
    const why = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message
    process.stderr.write(`${why}\n\n${USAGE}`)
    return 2
  }
  if (args.help) {
    process.stdout.write(USAGE)
    return 0
  }

  const log = pino({ name: 'eta-training', level: env.data.LOG_LEVEL }, pino.destination(2))
  try {
    const summary = await trainEtaModel({
      seed: args.seed,
      cars: args.cars,
      startMs: Date.parse(args.from),
      hours: args.hours,
      outDir: resolve(args.out),
      ...(args['work-dir'] ? { workDir: args['work-dir'] } : {}),
      venvDir: resolve(join(env.data.FRESHET_DATA_DIR, 'venv')),
      python: env.data.FRESHET_PYTHON,
      log: (msg, fields) => log.info(fields ?? {}, msg),
    })
    const { card } = summary
    log.info(
      {
        modelVersion: card.model_version,
        maeS: card.metrics.mae_s,
        baselineMaeS: card.metrics.baseline.mae_s,
        holdoutRows: card.metrics.holdout_rows,
        trainingRows: card.training_rows,
        timingsS: summary.timingsS,
      },
      `wrote ${summary.outDir}/model.onnx and model-card.json`,
    )
    process.stdout.write(
      `${JSON.stringify({
        modelVersion: card.model_version,
        outDir: summary.outDir,
        workDir: summary.workDir ?? null,
        trainingRows: card.training_rows,
        holdoutRows: card.metrics.holdout_rows,
        maeS: card.metrics.mae_s,
        p90AbsErrorS: card.metrics.p90_abs_error_s,
        baselineMaeS: card.metrics.baseline.mae_s,
        baselineP90AbsErrorS: card.metrics.baseline.p90_abs_error_s,
        rides: summary.rides,
        ridesWithoutPosition: summary.ridesWithoutPosition,
        featureRecords: summary.featureRecords,
        simulatedEvents: summary.simulatedEvents,
        timingsS: summary.timingsS,
      })}\n`,
    )
    return 0
  } catch (err) {
    log.error({ err, code: isFreshetError(err) ? err.code : undefined }, 'training failed')
    return 1
  } finally {
    log.flush()
  }
}

process.exitCode = await main()
