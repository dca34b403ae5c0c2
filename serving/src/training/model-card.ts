import { createHash } from 'node:crypto'
import { z } from 'zod'
import { ON_DEMAND_FEATURES } from '../features/on-demand.js'
import type { OnlineInput } from './eta-inputs.js'

/** What train.py reports (result.json), checked before anything is built from it. */
export const trainingResultSchema = z.object({
  defaults: z.record(z.string(), z.number()),
  training_rows: z.number().int().positive(),
  holdout_rows: z.number().int().positive(),
  training_range_ms: z.tuple([z.number(), z.number()]),
  holdout_range_ms: z.tuple([z.number(), z.number()]),
  model: z.object({ mae_s: z.number(), p90_abs_error_s: z.number() }),
  baseline: z.object({
    name: z.string(),
    detail: z.string(),
    mae_s: z.number(),
    p90_abs_error_s: z.number(),
  }),
  by_leg: z.record(
    z.string(),
    z.object({ holdout_rows: z.number(), mae_s: z.number(), baseline_mae_s: z.number() }),
  ),
  sklearn: z.record(z.string(), z.unknown()),
  seconds: z.number(),
})

export type TrainingResult = z.infer<typeof trainingResultSchema>

/** The simulated history a model was trained on, recorded in its card so anyone can regenerate it. */
export interface HistoryInfo {
  seed: number
  cars: number
  from: string
  hours: number
}

export interface ModelCardInput {
  onnx: Uint8Array
  onnxInput: string
  onnxOutput: string
  online: readonly OnlineInput[]
  result: TrainingResult
  history: HistoryInfo
  /** How far onnxruntime's predictions on the holdout were from sklearn's (seconds). */
  onnxMaxAbsDiffS: number
  createdAt: Date
}

/**
 * The model card (serving/model/model-card.json, see the ETA contract): the model's input vector in order with
 * each input's missing-value policy and default (the training split's mean, or 0 for counts: the value train.py
 * imputed),
 * holdout metrics next to the baseline, and where the training data came from.
 *
 * @example
 * const card = buildModelCard({ onnx, onnxInput: 'features', onnxOutput: 'eta_s', online, result, history, … })
 * card.model_version // 'eta-20250106T0930-1a2b3c4d'
 */
export function buildModelCard(input: ModelCardInput) {
  const { result } = input
  const sha = createHash('sha256').update(input.onnx).digest('hex')
  const stamp = input.createdAt.toISOString().replace(/[-:]/g, '').slice(0, 13) // 20250106T0930
  const iso = (ms: number) => new Date(ms).toISOString()
  return {
    model_version: `eta-${stamp}-${sha.slice(0, 8)}`,
    created_at: input.createdAt.toISOString(),
    training_range: { from: iso(result.training_range_ms[0]), to: iso(result.training_range_ms[1]) },
    holdout_range: { from: iso(result.holdout_range_ms[0]), to: iso(result.holdout_range_ms[1]) },
    onnx: {
      file: 'model.onnx',
      input: input.onnxInput,
      output: input.onnxOutput,
      dtype: 'float32' as const,
      sha256: sha,
    },
    target:
      'seconds to drive one leg: pickup (car position → pickup, until the rider is in) or trip (pickup → dropoff)',
    inputs: [
      ...ON_DEMAND_FEATURES.map((name) => ({
        name,
        kind: 'on_demand' as const,
        on_missing: 'refuse' as const,
      })),
      ...input.online.map((i) => ({
        name: i.ref,
        kind: 'online' as const,
        entity: i.entity,
        type: 'number' as const,
        on_missing: i.onMissing,
        ...(i.onMissing === 'default'
          ? {
              default: result.defaults[i.ref] ?? 0,
              default_from: i.fill === 'zero' ? 'zero' : 'training_mean',
            }
          : {}),
      })),
    ],
    metrics: {
      holdout_rows: result.holdout_rows,
      mae_s: result.model.mae_s,
      p90_abs_error_s: result.model.p90_abs_error_s,
      baseline: result.baseline,
      by_leg: result.by_leg,
      onnx_vs_sklearn_max_abs_diff_s: input.onnxMaxAbsDiffS,
    },
    training_rows: result.training_rows,
    history: { source: 'simulator', ...input.history },
    estimator: result.sklearn,
  }
}

export type ModelCard = ReturnType<typeof buildModelCard>
