import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FreshetError, type RegisteredView } from '@freshet/feature-store'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { type ModelCardJson, parseModelCard } from './model-card.js'
import { checkSignature, type SignatureContext } from './signature.js'

/** The card's file name inside a model directory. */
export const MODEL_CARD_FILE = 'model-card.json'

/** A loaded, checked model: its card, the registered views it reads, and a scorer. */
export interface EtaModel {
  readonly version: string
  readonly card: ModelCardJson
  /** sha256 (hex) of the ONNX bytes. */
  readonly sha256: string
  /** Registered view versions the model reads, by ref (`car_motion:v1`). */
  readonly views: ReadonlyMap<string, RegisteredView>
  readonly loadedAt: number
  /**
   * Scores `rows` rows of `card.inputs.length` float32 features each (row-major) in one `session.run`; one
   * prediction (seconds) per row.
   */
  score(features: Float32Array, rows: number): Promise<Float32Array>
  /** Frees the native session. Only once nothing scores with it any more. */
  release(): Promise<void>
}

export interface LoadEtaModelOptions extends SignatureContext {
  /** Directory holding model-card.json and the ONNX file it names. */
  dir: string
  /**
   * Threads of one `session.run`. Default 1: the model is small and requests run concurrently, so
   * parallelism comes from requests, and a pool per run would compete with the event loop for the cores.
   */
  intraOpThreads?: number
}

/**
 * Loads the model in `dir`: parses the card, opens the ONNX session, checks the signature against the session
 * and the registry (see `checkSignature`) and runs it once, so the first request does not pay for lazy
 * initialisation. Fails with `MODEL_INVALID` naming what does not fit, and frees the session if it does not.
 *
 * @example
 * const model = await loadEtaModel({ dir: 'serving/model', registry, onDemandFeatures: ON_DEMAND_FEATURES })
 * const seconds = await model.score(Float32Array.from(row), 1)
 */
export async function loadEtaModel(options: LoadEtaModelOptions): Promise<EtaModel> {
  const cardPath = join(options.dir, MODEL_CARD_FILE)
  const card = parseModelCard(await readModelFile(cardPath, 'utf8'), cardPath)
  const onnxPath = join(options.dir, card.onnx.file)
  const bytes = await readModelFile(onnxPath)
  let session: InferenceSession
  try {
    session = await InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    })
  } catch (cause) {
    throw new FreshetError(
      'MODEL_INVALID',
      `${onnxPath} is not a model onnxruntime can load: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  try {
    const views = await checkSignature(
      card,
      {
        inputs: session.inputMetadata.map((m) =>
          m.isTensor
            ? { name: m.name, type: m.type, shape: m.shape }
            : { name: m.name, type: 'not a tensor' },
        ),
        outputs: session.outputMetadata,
      },
      options,
    )
    const width = card.inputs.length
    const { input, output } = card.onnx

    const score = async (features: Float32Array, rows: number): Promise<Float32Array> => {
      if (features.length !== rows * width) {
        throw new FreshetError(
          'INTERNAL',
          `scoring ${rows} rows needs ${rows * width} values, got ${features.length}`,
        )
      }
      const results = await session.run({ [input]: new Tensor('float32', features, [rows, width]) }, [output])
      const data = results[output]?.data
      if (!(data instanceof Float32Array) || data.length !== rows) {
        throw new FreshetError(
          'MODEL_INVALID',
          `model ${card.model_version} returned no float32 value per row`,
        )
      }
      return data
    }
    // Warm-up: the first run allocates; a model that cannot score a row fails here, not on a request.
    await score(new Float32Array(width), 1)

    return {
      version: card.model_version,
      card,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      views,
      loadedAt: Date.now(),
      score,
      release: () => session.release(),
    }
  } catch (err) {
    await session.release().catch(() => {})
    throw err
  }
}

async function readModelFile(path: string): Promise<Buffer>
async function readModelFile(path: string, encoding: 'utf8'): Promise<string>
async function readModelFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding === undefined ? await readFile(path) : await readFile(path, encoding)
  } catch (cause) {
    throw new FreshetError('MODEL_INVALID', `cannot read ${path}: ${(cause as Error).message}`, { cause })
  }
}
