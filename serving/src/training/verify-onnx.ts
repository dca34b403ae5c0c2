import { readFile } from 'node:fs/promises'
import { FreshetError } from '@freshet/feature-store'
import * as ort from 'onnxruntime-node'

/** One holdout row as train.py wrote it: the float32 input vector and sklearn's prediction. */
export interface HoldoutPrediction {
  ride_id: string
  leg: 'pickup' | 'trip'
  timestamp: number
  label_s: number
  inputs: number[]
  sklearn_s: number
  baseline_s: number
}

/** How onnxruntime's predictions compare with sklearn's on the same float32 rows. */
export interface OnnxAgreement {
  rows: number
  maxAbsDiffS: number
  /** Rows beyond `toleranceS`. */
  mismatches: number
}

/**
 * Float32 tolerance for a tree ensemble's output in seconds: the leaf values are summed in float32 by
 * onnxruntime and in float64 by sklearn, which differ by a few ulps of a ~1000 s result.
 */
export function toleranceS(expected: number): number {
  return 1e-3 + 1e-5 * Math.abs(expected)
}

/**
 * Reads train.py's holdout predictions (JSON Lines).
 *
 * @example
 * const rows = await readHoldoutPredictions('work/holdout-predictions.jsonl')
 */
export async function readHoldoutPredictions(file: string): Promise<HoldoutPrediction[]> {
  const text = await readFile(file, 'utf8')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HoldoutPrediction)
}

/**
 * Scores the holdout rows with onnxruntime-node, one batch as serving does, and compares with sklearn.
 *
 * @example
 * const agreement = await compareWithOnnx('serving/model/model.onnx', rows, 'features', 'eta_s')
 * if (agreement.mismatches > 0) throw new Error('export changed the model')
 */
export async function compareWithOnnx(
  onnxFile: string,
  rows: readonly HoldoutPrediction[],
  input: string,
  output: string,
): Promise<OnnxAgreement> {
  if (rows.length === 0) return { rows: 0, maxAbsDiffS: 0, mismatches: 0 }
  const width = rows[0]!.inputs.length
  const session = await ort.InferenceSession.create(onnxFile)
  try {
    const data = Float32Array.from(rows.flatMap((r) => r.inputs))
    const result = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, width]) })
    const tensor = result[output]
    if (tensor === undefined || tensor.data.length !== rows.length) {
      throw new FreshetError('MODEL_INVALID', `${onnxFile}: no ${output} value per row`)
    }
    const predicted = tensor.data as Float32Array
    let maxAbsDiffS = 0
    let mismatches = 0
    rows.forEach((r, i) => {
      const diff = Math.abs(predicted[i]! - r.sklearn_s)
      maxAbsDiffS = Math.max(maxAbsDiffS, diff)
      if (diff > toleranceS(r.sklearn_s)) mismatches++
    })
    return { rows: rows.length, maxAbsDiffS, mismatches }
  } finally {
    await session.release()
  }
}
