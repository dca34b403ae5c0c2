import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type EtaResponseBody, type ModelInput, openServing } from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeys, redisUrl, type ServingWorld, servingWorld } from './fixtures/serving-world.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

let world: ServingWorld
beforeAll(async () => {
  world = await servingWorld()
})
afterAll(() => world?.close())

const open = (modelDir: string) =>
  openServing({
    redisUrl,
    modelDir,
    apiKeys,
    keyPrefix: world.keyPrefix,
    registryKey: world.registryKey,
    logger: pino({ level: 'silent' }),
  })

describe('serving refuses a model that does not fit', () => {
  it('names every card input the registry does not have, or has under another entity', async () => {
    const good = await linearModelDir({ dir: await world.tempDir('sig-good'), version: 'eta-sig-good' })
    const inputs: ModelInput[] = [
      ...good.card.inputs,
      {
        name: 'weather:v1:rain_mm_1h',
        kind: 'online',
        entity: 'car',
        type: 'number',
        on_missing: 'default',
        default: 0,
      },
      {
        name: 'car_motion:v1:speed_kmh_p99_15m',
        kind: 'online',
        entity: 'car',
        type: 'number',
        on_missing: 'refuse',
      },
      {
        name: 'zone_traffic:v1:speed_kmh_mean_15m',
        kind: 'online',
        entity: 'car',
        type: 'number',
        on_missing: 'refuse',
      },
      { name: 'rain_intensity', kind: 'on_demand', on_missing: 'refuse' },
    ]
    const bad = await linearModelDir({ dir: await world.tempDir('sig-bad'), version: 'eta-sig-bad', inputs })
    const refused = open(bad.dir)
    await expect(refused).rejects.toMatchObject({ code: 'MODEL_INVALID' })
    const message = await refused.catch((err: Error) => err.message)
    expect(message).toMatch(/model eta-sig-bad does not fit this deployment/)
    expect(message).toMatch(
      /weather:v1:rain_mm_1h \(model input\): feature view weather:v1 is not in the registry/,
    )
    expect(message).toMatch(
      /car_motion:v1:speed_kmh_p99_15m \(model input\): car_motion:v1 has no feature 'speed_kmh_p99_15m'/,
    )
    expect(message).toMatch(
      /zone_traffic:v1:speed_kmh_mean_15m \(model input\): read for entity 'car', but zone_traffic:v1 is keyed by 'zone'/,
    )
    expect(message).toMatch(/on-demand input 'rain_intensity' is not computed by serving/)
  })

  it('refuses an ONNX graph whose input width is not the card’s', async () => {
    const model = await linearModelDir({ dir: await world.tempDir('sig-width'), version: 'eta-sig-width' })
    const card = JSON.parse(await readFile(join(model.dir, 'model-card.json'), 'utf8'))
    card.inputs.pop() // the card now lists one input fewer than the graph takes
    await writeFile(join(model.dir, 'model-card.json'), JSON.stringify(card))
    await expect(open(model.dir)).rejects.toThrow(
      new RegExp(
        `ONNX input 'input' is ${card.inputs.length + 1} wide but the card lists ${card.inputs.length} inputs`,
      ),
    )
  })

  it('stops the deployable with the reason and a non-zero exit code', async () => {
    const model = await linearModelDir({
      dir: await world.tempDir('sig-main'),
      version: 'eta-sig-main',
      onnxWidth: 3,
    })
    const { code, stderr } = await runMain({
      SERVING_MODEL_DIR: model.dir,
      REGISTRY_KEY: world.registryKey,
      ONLINE_KEY_PREFIX: world.keyPrefix,
      SERVING_API_KEYS: `${apiKeys[0]!.key}:predict`,
      SERVING_PORT: '0',
    })
    expect(code).toBe(1)
    expect(stderr).toMatch(/serving refused to start: model eta-sig-main does not fit this deployment/)
    expect(stderr).toMatch(/ONNX input 'input' is 3 wide but the card lists \d+ inputs/)
  }, 60_000)
})

describe('the committed model', () => {
  it('fits the code’s feature views and scores a car', async () => {
    const serving = await open(join(root, 'serving/model'))
    try {
      await world.writeCar('car-0301', { lat: 52.52, lon: 13.4 })
      await world.writeZone('z-downtown', 23)
      const res = await serving.app.request('/v1/eta', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKeys[0]!.key },
        body: JSON.stringify({
          carId: 'car-0301',
          pickup: { lat: 52.53, lon: 13.41 },
          dropoff: { lat: 52.5345, lon: 13.3616 },
        }),
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as EtaResponseBody
      expect(body.modelVersion).toBe(serving.model.current.version)
      expect(body.etaSeconds).toBeGreaterThan(0)
      // Every input the card names was written fresh: nothing fell back to a default.
      expect(body.warnings).toEqual([])
      expect(body.legs.pickup.features.map((f) => f.name)).toEqual(
        serving.model.current.card.inputs.map((i) => i.name),
      )
      // Whatever the model, its answer for the reported inputs is what a direct session run gives.
      const rows = [body.legs.pickup, body.legs.trip].flatMap((leg) => leg.features.map((f) => f.value!))
      const direct = await serving.model.current.score(Float32Array.from(rows), 2)
      expect(body.pickupSeconds).toBeCloseTo(Math.max(0, direct[0]!), 0)
      expect(body.tripSeconds).toBeCloseTo(Math.max(0, direct[1]!), 0)
    } finally {
      await serving.close()
    }
  })
})

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules/.bin/tsx'), ['serving/src/main.ts'], {
      cwd: root,
      env: { ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: 'fatal', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
  })
}
