import { createWriteStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { FreshetError } from '@freshet/feature-store'
import type { RideCompleted } from '@freshet/pipelines'
import { createClickHouseOfflineWriter } from '@freshet/sinks'
import { ETA_ONLINE_INPUTS, inputNames, type OnlineInput, TRAINING_VIEWS } from './eta-inputs.js'
import { featureHistory } from './feature-history.js'
import { buildModelCard, type ModelCard, trainingResultSchema } from './model-card.js'
import { ensurePythonEnv, runPython } from './python-env.js'
import { buildTrainingSet, type TrainingExample } from './training-set.js'
import { compareWithOnnx, readHoldoutPredictions } from './verify-onnx.js'

const HOUR_MS = 3_600_000
/** serving/model: the committed artifacts, requirements.txt and train.py. */
export const MODEL_DIR = fileURLToPath(new URL('../../model/', import.meta.url))

export interface TrainEtaOptions {
  /** Simulator seed. */
  seed: number
  cars: number
  /** Start of the simulated history (epoch ms). */
  startMs: number
  hours: number
  /** Where model.onnx and model-card.json go (written last, once the export is verified). */
  outDir: string
  /** Training set, spec, chDB store, holdout predictions. Default: a temporary dir, removed at the end. */
  workDir?: string
  /** The virtual environment train.py runs in (built on first use). */
  venvDir: string
  /** Interpreter that creates the venv. Default `python3`. */
  python?: string
  /** Latest share of legs (by start time) held out. Default 0.2. */
  holdoutFraction?: number
  online?: readonly OnlineInput[]
  log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface TrainEtaSummary {
  card: ModelCard
  outDir: string
  /** Kept only when `workDir` was given. */
  workDir: string | undefined
  rides: number
  ridesWithoutPosition: number
  featureRecords: number
  simulatedEvents: number
  timingsS: Record<'history' | 'trainingSet' | 'python' | 'total', number>
}

/** Rides requested this soon after the history starts have no full feature windows behind them. */
const WARMUP_MS = 15 * 60_000

/**
 * Trains the ETA model end to end from simulated history:
 * 1. simulate the city and compute its feature history with the engine's definitions (`featureHistory`), into an
 *    embedded chDB offline store in the work dir (the sink's own writer);
 * 2. build the point-in-time training set from it (`buildTrainingSet`), on-demand inputs by serving's module;
 * 3. fit and export in Python (serving/model/train.py, in a pinned venv prepared while step 1 runs);
 * 4. check onnxruntime-node reproduces sklearn's holdout predictions, then write model.onnx and model-card.json.
 *
 * @example
 * const summary = await trainEtaModel({ seed: 7, cars: 150, startMs: Date.UTC(2025, 0, 6, 5), hours: 8,
 *   outDir: 'serving/model', venvDir: '.freshet/venv' })
 * summary.card.metrics.mae_s // vs summary.card.metrics.baseline.mae_s
 */
export async function trainEtaModel(options: TrainEtaOptions): Promise<TrainEtaSummary> {
  const log = options.log ?? (() => {})
  const online = options.online ?? ETA_ONLINE_INPUTS
  const started = performance.now()
  const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10
  const workDir = options.workDir ? resolve(options.workDir) : await mkdtemp(join(tmpdir(), 'freshet-eta-'))
  await mkdir(workDir, { recursive: true })
  // Prepared while the history is simulated: a first run's pip install overlaps the CPU-bound part.
  const pythonEnv = ensurePythonEnv({
    venvDir: options.venvDir,
    requirements: join(MODEL_DIR, 'requirements.txt'),
    python: options.python,
    log: (line) => log(line),
  })
  pythonEnv.catch(() => {}) // awaited below; do not let an early failure go unhandled meanwhile
  try {
    const historyStarted = performance.now()
    const dataDir = join(workDir, 'chdb')
    await rm(dataDir, { recursive: true, force: true })
    const writer = await createClickHouseOfflineWriter({ dataDir, views: TRAINING_VIEWS, batchRows: 20_000 })
    const rides: RideCompleted[] = []
    let featureRecords = 0
    let simulatedEvents = 0
    try {
      for (const chunk of featureHistory({
        simulation: {
          seed: options.seed,
          cars: options.cars,
          startMs: options.startMs,
          durationMs: options.hours * HOUR_MS,
        },
        views: TRAINING_VIEWS,
      })) {
        await writer.write(chunk.records)
        featureRecords += chunk.records.length
        simulatedEvents += chunk.events
        rides.push(...chunk.rides)
        log('simulated history', {
          until: new Date(chunk.to).toISOString(),
          records: featureRecords,
          completedRides: rides.length,
        })
      }
    } finally {
      await writer.close()
    }
    const history = seconds(historyStarted)

    const setStarted = performance.now()
    const usable = rides.filter((r) => r.requestedAt >= options.startMs + WARMUP_MS)
    const { examples, ridesWithoutPosition } = await buildTrainingSet({ dataDir, rides: usable, online })
    await rm(dataDir, { recursive: true, force: true })
    const trainingSet = join(workDir, 'training-set.jsonl')
    await writeJsonLines(trainingSet, examples)
    const trainingSetS = seconds(setStarted)
    log('training set built', { legs: examples.length, rides: usable.length, ridesWithoutPosition })

    const pythonStarted = performance.now()
    const { python } = await pythonEnv
    const names = inputNames(online)
    const spec = {
      training_set: trainingSet,
      inputs: names.map((name) => {
        const input = online.find((i) => i.ref === name)
        return { name, on_missing: input?.onMissing ?? 'refuse', fill: input?.fill ?? null }
      }),
      label: 'duration_s',
      holdout_fraction: options.holdoutFraction ?? 0.2,
      seed: options.seed,
      onnx_input: 'features',
      onnx_output: 'eta_s',
      out_dir: workDir,
      result: join(workDir, 'result.json'),
      predictions: join(workDir, 'holdout-predictions.jsonl'),
    }
    const specFile = join(workDir, 'spec.json')
    await writeFile(specFile, `${JSON.stringify(spec, null, 2)}\n`)
    await runPython(python, [join(MODEL_DIR, 'train.py'), '--spec', specFile], (line) =>
      log(`train.py: ${line}`),
    )
    const result = trainingResultSchema.parse(JSON.parse(await readFile(spec.result, 'utf8')))
    const pythonS = seconds(pythonStarted)

    const onnxFile = join(workDir, 'model.onnx')
    const agreement = await compareWithOnnx(
      onnxFile,
      await readHoldoutPredictions(spec.predictions),
      spec.onnx_input,
      spec.onnx_output,
    )
    if (agreement.mismatches > 0) {
      throw new FreshetError(
        'MODEL_INVALID',
        `the ONNX export disagrees with sklearn on ${agreement.mismatches} of ${agreement.rows} holdout rows ` +
          `(max ${agreement.maxAbsDiffS} s): not writing it`,
      )
    }
    const card = buildModelCard({
      onnx: await readFile(onnxFile),
      onnxInput: spec.onnx_input,
      onnxOutput: spec.onnx_output,
      online,
      result,
      history: {
        seed: options.seed,
        cars: options.cars,
        from: new Date(options.startMs).toISOString(),
        hours: options.hours,
      },
      onnxMaxAbsDiffS: Number(agreement.maxAbsDiffS.toPrecision(3)),
      createdAt: new Date(),
    })
    await publish(options.outDir, onnxFile, card)
    return {
      card,
      outDir: resolve(options.outDir),
      workDir: options.workDir ? workDir : undefined,
      rides: usable.length,
      ridesWithoutPosition,
      featureRecords,
      simulatedEvents,
      timingsS: { history, trainingSet: trainingSetS, python: pythonS, total: seconds(started) },
    }
  } finally {
    if (!options.workDir) await rm(workDir, { recursive: true, force: true })
  }
}

/** Model first, card last, each renamed into place: a reader never sees a card without its model. */
async function publish(outDir: string, onnxFile: string, card: ModelCard): Promise<void> {
  await mkdir(outDir, { recursive: true })
  const stage = (name: string) => join(outDir, `.${name}.${process.pid}.tmp`)
  await copyFile(onnxFile, stage('model.onnx'))
  await rename(stage('model.onnx'), join(outDir, 'model.onnx'))
  await writeFile(stage('model-card.json'), `${JSON.stringify(card, null, 2)}\n`)
  await rename(stage('model-card.json'), join(outDir, 'model-card.json'))
}

/** One flat JSON object per leg: identity, label, time, then every input by name. */
async function writeJsonLines(file: string, examples: readonly TrainingExample[]): Promise<void> {
  const out = createWriteStream(file)
  for (const { inputs, ...leg } of examples) {
    if (!out.write(`${JSON.stringify({ ...leg, ...inputs })}\n`)) {
      await new Promise<void>((r) => out.once('drain', () => r()))
    }
  }
  out.end()
  await finished(out)
}
