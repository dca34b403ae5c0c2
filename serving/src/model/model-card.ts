import { FreshetError, parseFeatureRef } from '@freshet/feature-store'
import { z } from 'zod'

/**
 * The model card (serving/model/model-card.json), written by the training script next to model.onnx. Its
 * `inputs` are the model's input vector in order; each online input names a feature ref and the policy for a
 * missing or expired value. Snake case because the card is a file format shared with non-TypeScript tools.
 */
const policy = z.enum(['default', 'refuse'])

const onDemandInput = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'on-demand input names are snake_case'),
  kind: z.literal('on_demand'),
  on_missing: policy.default('refuse'),
  default: z.number().optional(),
})

const onlineInput = z.object({
  name: z
    .string()
    .refine((s) => parseFeatureRef(s) !== undefined, 'online inputs are feature refs view:vN:feature'),
  kind: z.literal('online'),
  /** `car`: the car asked about; `origin_zone`: the zone of the leg's origin point. */
  entity: z.enum(['car', 'origin_zone']),
  type: z.literal('number'),
  on_missing: policy,
  default: z.number().optional(),
})

const input = z
  .discriminatedUnion('kind', [onDemandInput, onlineInput])
  .refine((i) => i.on_missing !== 'default' || Number.isFinite(i.default), {
    message: "an input with on_missing 'default' needs a finite number 'default'",
  })

export const modelCardSchema = z
  .object({
    model_version: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'model_version is 1-80 of [A-Za-z0-9._-]'),
    created_at: z.string().optional(),
    training_range: z.object({ from: z.string(), to: z.string() }).optional(),
    onnx: z.object({
      file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'onnx.file is a file name next to the card'),
      input: z.string().min(1),
      output: z.string().min(1),
      dtype: z.literal('float32'),
    }),
    inputs: z.array(input).min(1),
    /** Holdout errors of the model and its baseline; shown by `GET /v1/model`, not interpreted. */
    metrics: z.record(z.string(), z.unknown()).optional(),
    training_rows: z.number().optional(),
  })
  .loose()
  .superRefine((card, ctx) => {
    const seen = new Set<string>()
    card.inputs.forEach((i, n) => {
      if (seen.has(i.name))
        ctx.addIssue({ code: 'custom', path: ['inputs', n, 'name'], message: `duplicate input ${i.name}` })
      seen.add(i.name)
    })
  })

export type ModelCardJson = z.infer<typeof modelCardSchema>
export type ModelInput = ModelCardJson['inputs'][number]
export type OnlineInput = Extract<ModelInput, { kind: 'online' }>
export type MissingPolicy = z.infer<typeof policy>

/**
 * Parses a model card's JSON text; anything else fails with `MODEL_INVALID` listing every problem at once.
 *
 * @example
 * const card = parseModelCard(await readFile('serving/model/model-card.json', 'utf8'), 'serving/model/model-card.json')
 * card.inputs.map((i) => i.name) // ['leg_distance_km', …, 'car_motion:v1:speed_kmh_mean_15m', …]
 */
export function parseModelCard(json: string, source: string): ModelCardJson {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch (cause) {
    throw new FreshetError('MODEL_INVALID', `model card ${source} is not JSON: ${(cause as Error).message}`, {
      cause,
    })
  }
  const parsed = modelCardSchema.safeParse(data)
  if (!parsed.success) {
    throw new FreshetError(
      'MODEL_INVALID',
      `model card ${source} is not valid:\n${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    )
  }
  return parsed.data
}
