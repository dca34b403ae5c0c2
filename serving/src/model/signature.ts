import {
  FreshetError,
  parseFeatureRef,
  type RegisteredView,
  type RegistryReader,
} from '@freshet/feature-store'
import type { ModelCardJson } from './model-card.js'

/** What the ONNX session says about its own inputs and outputs (onnxruntime's metadata, narrowed). */
export interface SessionSignature {
  inputs: readonly { name: string; type?: string; shape?: readonly (number | string)[] }[]
  outputs: readonly { name: string }[]
}

/** Features serving reads besides the model inputs, with the entity type they must be keyed by. */
export interface ExtraRef {
  ref: string
  entity: 'car'
  why: string
}

export interface SignatureContext {
  registry: RegistryReader
  /** Names the on-demand module computes (`ON_DEMAND_FEATURES`). */
  onDemandFeatures: readonly string[]
  extraRefs?: readonly ExtraRef[]
}

/** Registry entity type each card entity reads. */
const ENTITY_TYPE = { car: 'car', origin_zone: 'zone' } as const

/**
 * Checks that a model fits what serving can feed it: one float32 input `[N, inputs.length]` and the named output
 * in the ONNX graph, every on-demand input computable, and every online input (and extra ref) registered as a
 * number feature of a view keyed by the right entity type. Every mismatch is listed in one `MODEL_INVALID`
 * error, so a bad model is fixed in one round. Returns the registered views the model reads (their ttls).
 *
 * @example
 * const views = await checkSignature(card, { inputs: session.inputMetadata, outputs: session.outputMetadata }, ctx)
 */
export async function checkSignature(
  card: ModelCardJson,
  session: SessionSignature,
  context: SignatureContext,
): Promise<Map<string, RegisteredView>> {
  const problems: string[] = []
  const width = card.inputs.length

  const input = session.inputs.find((i) => i.name === card.onnx.input)
  if (input === undefined) {
    problems.push(
      `the ONNX graph has no input '${card.onnx.input}' (it has: ${session.inputs.map((i) => i.name).join(', ')})`,
    )
  } else {
    if (input.type !== undefined && input.type !== 'float32') {
      problems.push(`ONNX input '${input.name}' is ${input.type}, the card says float32`)
    }
    const shape = input.shape ?? []
    const last = shape.at(-1)
    if (shape.length !== 2) {
      problems.push(`ONNX input '${input.name}' has shape [${shape.join(', ')}], expected [N, ${width}]`)
    } else if (typeof last === 'number' && last !== width) {
      problems.push(
        `ONNX input '${input.name}' is ${last} wide but the card lists ${width} inputs: model and card do not match`,
      )
    }
  }
  const others = session.inputs.filter((i) => i.name !== card.onnx.input)
  if (others.length > 0) {
    problems.push(`the ONNX graph has inputs serving does not feed: ${others.map((i) => i.name).join(', ')}`)
  }
  if (!session.outputs.some((o) => o.name === card.onnx.output)) {
    problems.push(
      `the ONNX graph has no output '${card.onnx.output}' (it has: ${session.outputs.map((o) => o.name).join(', ')})`,
    )
  }

  const computable = new Set(context.onDemandFeatures)
  const wanted = [
    ...card.inputs.flatMap((i) =>
      i.kind === 'online' ? [{ ref: i.name, entity: i.entity, why: 'model input' }] : [],
    ),
    ...(context.extraRefs ?? []),
  ]
  for (const i of card.inputs) {
    if (i.kind === 'on_demand' && !computable.has(i.name)) {
      problems.push(
        `on-demand input '${i.name}' is not computed by serving (it computes: ${[...computable].join(', ')})`,
      )
    }
  }

  const viewRefs = [...new Set(wanted.map((w) => viewRefOf(w.ref)))]
  const entries = await Promise.all(viewRefs.map((ref) => context.registry.get(ref)))
  const views = new Map<string, RegisteredView>()
  viewRefs.forEach((ref, i) => {
    const entry = entries[i]
    if (entry !== undefined) views.set(ref, entry)
  })
  for (const w of wanted) {
    const parsed = parseFeatureRef(w.ref)!
    const viewRef = viewRefOf(w.ref)
    const view = views.get(viewRef)
    if (view === undefined) {
      problems.push(`${w.ref} (${w.why}): feature view ${viewRef} is not in the registry`)
      continue
    }
    const feature = view.features.find((f) => f.name === parsed.feature)
    if (feature === undefined) {
      problems.push(
        `${w.ref} (${w.why}): ${viewRef} has no feature '${parsed.feature}' (it has: ${view.features.map((f) => f.name).join(', ')})`,
      )
    } else if (feature.type !== 'float64') {
      problems.push(`${w.ref} (${w.why}): registered as ${feature.type}, not a number`)
    }
    const expected = ENTITY_TYPE[w.entity]
    if (view.entity !== expected) {
      problems.push(
        `${w.ref} (${w.why}): read for entity '${w.entity}', but ${viewRef} is keyed by '${view.entity}', not '${expected}'`,
      )
    }
  }

  if (problems.length > 0) {
    throw new FreshetError(
      'MODEL_INVALID',
      `model ${card.model_version} does not fit this deployment:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    )
  }
  return views
}

function viewRefOf(ref: string): string {
  const parsed = parseFeatureRef(ref)
  return parsed === undefined ? ref : `${parsed.view}:v${parsed.version}`
}
