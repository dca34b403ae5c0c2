/**
 * The serving bench's bare calls: the Redis pipeline one `/v1/eta` request sends (the car's hashes and every
 * zone's), sent by a plain ioredis client, and a plain `session.run` of the same model on a 2-row batch. The
 * bench times them in-process, and the floor server answers with exactly them.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CITY_ZONES } from '@freshet/pipelines'
import { buildFeaturePlan, type ModelCardJson, onDemandFeatures } from '@freshet/serving'
import { featureKey } from '@freshet/sinks'
import { Redis } from 'ioredis'
import { InferenceSession, Tensor } from 'onnxruntime-node'

export interface BareCalls {
  /** The HMGETs of one request for `carId`, as one pipeline. */
  pipeline(carId: string): Promise<unknown>
  /** The model on a 2-row batch (pickup and trip leg); resolves to the two leg seconds. */
  run(): Promise<Float32Array>
  close(): Promise<void>
}

/**
 * @example
 * const bare = await bareCalls({ redisUrl, keyPrefix: world.keyPrefix, modelDir, card })
 * await bare.pipeline('car-0001'); await bare.run()
 */
export async function bareCalls(options: {
  redisUrl: string
  keyPrefix: string
  modelDir: string
  card: ModelCardJson
}): Promise<BareCalls> {
  const { card } = options
  const plan = buildFeaturePlan(card)
  const byView = (refs: typeof plan.carRefs) => {
    const views = new Map<string, { view: string; version: number; fields: string[] }>()
    for (const r of refs) {
      const k = `${r.view}:v${r.version}`
      const entry = views.get(k) ?? { view: r.view, version: r.version, fields: [] }
      entry.fields.push(`f:${r.feature}`)
      views.set(k, entry)
    }
    return [...views.values()]
  }
  const carViews = byView(plan.carRefs)
  const zoneViews = byView(plan.zoneRefs)
  const zoneIds = CITY_ZONES.map((z) => z.id)
  const redis = new Redis(options.redisUrl)
  const session = await InferenceSession.create(await readFile(join(options.modelDir, card.onnx.file)), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  })

  const pickup = { lat: 52.53, lon: 13.41 }
  const legs = [
    onDemandFeatures({
      origin: { lat: 52.52, lon: 13.4 },
      destination: pickup,
      at: Date.now(),
      isPickupLeg: true,
    }),
    onDemandFeatures({
      origin: pickup,
      destination: { lat: 52.5345, lon: 13.3616 },
      at: Date.now(),
      isPickupLeg: false,
    }),
  ]
  // Every input the model takes, as a request would fill it: on-demand values, position, defaults elsewhere.
  const sample: Record<string, number> = {
    'car_location:v1:lat_last_1m': 52.52,
    'car_location:v1:lon_last_1m': 13.4,
  }
  const row = new Float32Array(2 * card.inputs.length)
  for (const [l, od] of legs.entries()) {
    for (const [j, input] of card.inputs.entries()) {
      row[l * card.inputs.length + j] = od[input.name] ?? sample[input.name] ?? input.default ?? 25
    }
  }

  return {
    pipeline(carId) {
      const p = redis.pipeline()
      for (const v of carViews) p.hmget(featureKey(options.keyPrefix, v.view, v.version, carId), ...v.fields)
      for (const zone of zoneIds)
        for (const v of zoneViews)
          p.hmget(featureKey(options.keyPrefix, v.view, v.version, zone), ...v.fields)
      return p.exec()
    },
    async run() {
      const out = await session.run({
        [card.onnx.input]: new Tensor('float32', row.slice(), [2, card.inputs.length]),
      })
      return out[card.onnx.output]!.data as Float32Array
    },
    async close() {
      await session.release()
      redis.disconnect()
    },
  }
}
