import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ON_DEMAND_FEATURES } from '../../features/on-demand.js'
import { MODEL_CARD_FILE } from '../eta-model.js'
import type { ModelCardJson, ModelInput } from '../model-card.js'
import { linearOnnxModel } from './linear-onnx.js'

export interface LinearModelDirOptions {
  dir: string
  version: string
  /** Default: every on-demand feature, the car's 15 min mean speed, its zone's trip speed and its position. */
  inputs?: ModelInput[]
  /** One per input. Default: 90 s per km of leg, 1e-3 for the rest. */
  weights?: number[]
  bias?: number
  /** Width the ONNX graph declares, when a test wants it to disagree with the card. Default: inputs.length. */
  onnxWidth?: number
}

/**
 * A model card for tests, in the contract's shape.
 *
 * @example
 * testModelCard('eta-test-1', inputs)
 */
export function testModelCard(version: string, inputs: ModelInput[]): ModelCardJson {
  return {
    model_version: version,
    created_at: new Date(0).toISOString(),
    onnx: { file: 'model.onnx', input: 'input', output: 'variable', dtype: 'float32' },
    inputs,
    metrics: { holdout_rows: 0, mae_s: 0, p90_abs_error_s: 0 },
    training_rows: 0,
  }
}

/**
 * The inputs test cards are built from: the leg distance (on demand), the car's 15 min mean speed (default
 * 27.3 when missing) and its origin zone's trip speed (default 24.5), and the car's position (refused when
 * missing). A test picks the ones its card needs.
 *
 * @example
 * testModelCard('eta-test-1', [TEST_INPUTS.legDistance, TEST_INPUTS.carSpeed])
 */
export const TEST_INPUTS = {
  legDistance: { name: 'leg_distance_km', kind: 'on_demand', on_missing: 'refuse' },
  carSpeed: {
    name: 'car_motion:v1:speed_kmh_mean_15m',
    kind: 'online',
    entity: 'car',
    type: 'number',
    on_missing: 'default',
    default: 27.3,
  },
  zoneSpeed: {
    name: 'zone_traffic:v1:trip_speed_kmh_mean_15m',
    kind: 'online',
    entity: 'origin_zone',
    type: 'number',
    on_missing: 'default',
    default: 24.5,
  },
  lat: {
    name: 'car_location:v1:lat_last_1m',
    kind: 'online',
    entity: 'car',
    type: 'number',
    on_missing: 'refuse',
  },
  lon: {
    name: 'car_location:v1:lon_last_1m',
    kind: 'online',
    entity: 'car',
    type: 'number',
    on_missing: 'refuse',
  },
} as const satisfies Record<string, ModelInput>

const DEFAULT_INPUTS: ModelInput[] = [
  ...ON_DEMAND_FEATURES.map((name): ModelInput => ({ name, kind: 'on_demand', on_missing: 'refuse' })),
  TEST_INPUTS.carSpeed,
  TEST_INPUTS.zoneSpeed,
  TEST_INPUTS.lat,
  TEST_INPUTS.lon,
]

/**
 * Writes a model directory (model-card.json + model.onnx) holding a linear model, `y = x · weights + bias`:
 * a real ONNX graph whose every answer a test can compute from the features serving reports.
 *
 * @example
 * const model = await linearModelDir({ dir, version: 'eta-test-1' })
 * const expected = model.predict(featuresOf(response.legs.trip))
 */
export async function linearModelDir(options: LinearModelDirOptions) {
  const inputs = options.inputs ?? DEFAULT_INPUTS
  const weights = options.weights ?? inputs.map((i) => (i.name === 'leg_distance_km' ? 90 : 1e-3))
  const bias = options.bias ?? 30
  const card = testModelCard(options.version, inputs)
  const width = options.onnxWidth ?? inputs.length
  const onnxWeights = Array.from({ length: width }, (_, i) => weights[i] ?? 0)
  await mkdir(options.dir, { recursive: true })
  await writeFile(join(options.dir, 'model.onnx'), linearOnnxModel({ weights: onnxWeights, bias }))
  await writeFile(join(options.dir, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`)
  return {
    dir: options.dir,
    card,
    weights,
    bias,
    /** What the model answers for inputs in card order (float32 arithmetic aside). */
    predict: (values: readonly number[]) => values.reduce((sum, v, i) => sum + v * (weights[i] ?? 0), bias),
  }
}
