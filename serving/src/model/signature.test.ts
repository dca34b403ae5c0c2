import { createMemoryRegistryStore, FeatureRegistry } from '@freshet/feature-store'
import { carLocation, carMotion, zoneTraffic } from '@freshet/pipelines'
import { InferenceSession } from 'onnxruntime-node'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ModelInput } from './model-card.js'
import { checkSignature, type SessionSignature } from './signature.js'
import { linearOnnxModel } from './testing/linear-onnx.js'
import { testModelCard } from './testing/model-dir.js'

const inputs: ModelInput[] = [
  { name: 'leg_distance_km', kind: 'on_demand', on_missing: 'refuse' },
  {
    name: 'car_motion:v1:speed_kmh_mean_15m',
    kind: 'online',
    entity: 'car',
    type: 'number',
    on_missing: 'default',
    default: 27,
  },
  {
    name: 'zone_traffic:v1:trip_speed_kmh_mean_15m',
    kind: 'online',
    entity: 'origin_zone',
    type: 'number',
    on_missing: 'default',
    default: 24,
  },
]
const registry = new FeatureRegistry({ store: createMemoryRegistryStore() })
const context = {
  registry,
  onDemandFeatures: ['leg_distance_km', 'hour_of_day'],
  extraRefs: [{ ref: 'car_location:v1:lat_last_1m', entity: 'car' as const, why: 'car position' }],
}

/** The signature onnxruntime reports for a real linear model `width` wide. */
async function sessionOf(width: number): Promise<SessionSignature> {
  const session = await InferenceSession.create(linearOnnxModel({ weights: Array(width).fill(1), bias: 0 }))
  try {
    return {
      inputs: session.inputMetadata.map((m) =>
        m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name },
      ),
      outputs: session.outputMetadata,
    }
  } finally {
    await session.release()
  }
}

beforeAll(async () => {
  await registry.register([carMotion, zoneTraffic, carLocation])
})

describe('checkSignature', () => {
  it('accepts a model that fits, returning the registered views it reads', async () => {
    const views = await checkSignature(testModelCard('ok', inputs), await sessionOf(3), context)
    expect([...views.keys()].sort()).toEqual(['car_location:v1', 'car_motion:v1', 'zone_traffic:v1'])
    expect(views.get('car_motion:v1')?.ttlMs).toBe(2 * 60 * 60_000)
  })

  it('refuses a graph wider than the card, naming both widths', async () => {
    await expect(checkSignature(testModelCard('wide', inputs), await sessionOf(4), context)).rejects.toThrow(
      /model wide does not fit this deployment:\n {2}- ONNX input 'input' is 4 wide but the card lists 3 inputs/,
    )
  })

  it('refuses tensor names the graph does not have', async () => {
    const card = {
      ...testModelCard('names', inputs),
      onnx: { file: 'model.onnx', input: 'x', output: 'y', dtype: 'float32' as const },
    }
    const message = await checkSignature(card, await sessionOf(3), context).catch((err: Error) => err.message)
    expect(message).toMatch(/the ONNX graph has no input 'x' \(it has: input\)/)
    expect(message).toMatch(/the ONNX graph has no output 'y' \(it has: variable\)/)
    expect(message).toMatch(/inputs serving does not feed: input/)
  })

  it('refuses refs outside the registry, features a view lacks, wrong entities and unknown on-demand names', async () => {
    const bad: ModelInput[] = [
      { name: 'speed_band', kind: 'on_demand', on_missing: 'refuse' },
      {
        name: 'car_motion:v2:speed_kmh_mean_15m',
        kind: 'online',
        entity: 'car',
        type: 'number',
        on_missing: 'refuse',
      },
      {
        name: 'car_motion:v1:speed_kmh_p50_15m',
        kind: 'online',
        entity: 'car',
        type: 'number',
        on_missing: 'refuse',
      },
      {
        name: 'car_motion:v1:speed_kmh_max_15m',
        kind: 'online',
        entity: 'origin_zone',
        type: 'number',
        on_missing: 'refuse',
      },
    ]
    const message = await checkSignature(testModelCard('bad', bad), await sessionOf(4), {
      ...context,
      extraRefs: [{ ref: 'car_location:v9:lat_last_1m', entity: 'car', why: 'car position' }],
    }).then(
      () => 'accepted',
      (err: Error) => err.message,
    )
    expect(message.split('\n').slice(1)).toEqual([
      "  - on-demand input 'speed_band' is not computed by serving (it computes: leg_distance_km, hour_of_day)",
      '  - car_motion:v2:speed_kmh_mean_15m (model input): feature view car_motion:v2 is not in the registry',
      "  - car_motion:v1:speed_kmh_p50_15m (model input): car_motion:v1 has no feature 'speed_kmh_p50_15m' (it has: speed_kmh_mean_5m, speed_kmh_max_5m, speed_kmh_stddev_5m, speed_kmh_mean_15m, speed_kmh_max_15m, speed_kmh_stddev_15m)",
      "  - car_motion:v1:speed_kmh_max_15m (model input): read for entity 'origin_zone', but car_motion:v1 is keyed by 'car', not 'zone'",
      '  - car_location:v9:lat_last_1m (car position): feature view car_location:v9 is not in the registry',
    ])
  })
})
