import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simulate } from '@freshet/pipelines'
import { ON_DEMAND_FEATURES, parseModelCard } from '@freshet/serving'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** A small history at the morning rush: ~180 car-hours, a few hundred legs. Seeded: the run is deterministic. */
const HISTORY = { seed: 11, cars: 60, from: '2025-01-07T07:00:00Z', hours: 3 }

interface Summary {
  modelVersion: string
  trainingRows: number
  holdoutRows: number
  maeS: number
  baselineMaeS: number
  timingsS: Record<string, number>
}

interface HoldoutRow {
  ride_id: string
  leg: 'pickup' | 'trip'
  timestamp: number
  inputs: number[]
  sklearn_s: number
}

let dir: string
let summary: Summary

/** `npm run train` as a user runs it (same entry point, flags and venv bootstrap), into a temp dir. */
function train(out: string, work: string): Promise<string> {
  const args = ['serving/src/training/main.ts', '--out', out, '--work-dir', work]
  for (const [flag, value] of Object.entries(HISTORY)) args.push(`--${flag}`, String(value))
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), args, { cwd: root, env: process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`training exited ${code}:\n${stderr.slice(-4000)}`)),
    )
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshet-eta-training-'))
  const stdout = await train(join(dir, 'out'), join(dir, 'work'))
  summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary
  // On a fresh clone the first run also builds .freshet/venv (pip install of the pinned requirements).
}, 600_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function jsonLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T)
}

describe('ETA training (npm run train on a small simulated history)', () => {
  it('writes a model card serving accepts, with inputs in model order and a default for each defaultable input', async () => {
    const onnx = await readFile(join(dir, 'out', 'model.onnx'))
    const card = parseModelCard(
      await readFile(join(dir, 'out', 'model-card.json'), 'utf8'),
      'model-card.json',
    )
    const sha = createHash('sha256').update(onnx).digest('hex')
    expect(card.model_version).toMatch(new RegExp(`^eta-\\d{8}T\\d{4}-${sha.slice(0, 8)}$`))
    expect(card.model_version).toBe(summary.modelVersion)
    expect(card.inputs.slice(0, ON_DEMAND_FEATURES.length).map((i) => i.name)).toEqual([
      ...ON_DEMAND_FEATURES,
    ])
    const online = card.inputs.filter((i) => i.kind === 'online')
    expect(online.length).toBeGreaterThan(3)
    expect(new Set(online.map((i) => i.entity))).toEqual(new Set(['car', 'origin_zone']))
    for (const i of online) expect(Number.isFinite(i.default)).toBe(true)
    // The training range is the simulated history (after its warm-up), the holdout after it.
    const from = Date.parse(card.training_range!.from)
    const to = Date.parse(card.training_range!.to)
    expect(from).toBeGreaterThanOrEqual(Date.parse(HISTORY.from))
    expect(to).toBeLessThan(Date.parse(HISTORY.from) + HISTORY.hours * 3_600_000)
    expect(card.training_rows).toBe(summary.trainingRows)
    expect(onnx.byteLength).toBeLessThan(400_000)
  })

  it('beats the naive distance / speed baseline on the time-split holdout', () => {
    expect(summary.trainingRows).toBeGreaterThan(200)
    expect(summary.holdoutRows).toBeGreaterThan(50)
    expect(summary.maeS).toBeGreaterThan(0)
    expect(summary.maeS).toBeLessThan(summary.baselineMaeS)
  })

  it('gives in onnxruntime-node the predictions sklearn made on the holdout, within float32 tolerance', async () => {
    const card = parseModelCard(
      await readFile(join(dir, 'out', 'model-card.json'), 'utf8'),
      'model-card.json',
    )
    const rows = await jsonLines<HoldoutRow>(join(dir, 'work', 'holdout-predictions.jsonl'))
    expect(rows).toHaveLength(summary.holdoutRows)
    const session = await ort.InferenceSession.create(join(dir, 'out', card.onnx.file))
    try {
      const width = card.inputs.length
      expect(rows.every((r) => r.inputs.length === width)).toBe(true)
      const x = new ort.Tensor('float32', Float32Array.from(rows.flatMap((r) => r.inputs)), [
        rows.length,
        width,
      ])
      const out = await session.run({ [card.onnx.input]: x })
      const predicted = out[card.onnx.output]!.data as Float32Array
      expect(predicted).toHaveLength(rows.length)
      rows.forEach((r, i) => {
        expect(Math.abs(predicted[i]! - r.sklearn_s)).toBeLessThanOrEqual(1e-3 + 1e-5 * Math.abs(r.sklearn_s))
      })
      // Legs differ: the model is not a constant.
      expect(new Set(rows.map((r) => Math.round(r.sklearn_s))).size).toBeGreaterThan(rows.length / 4)
    } finally {
      await session.release()
    }
  })

  it('joins features point in time: a pickup leg starts where the car last reported before the request', async () => {
    const legs = await jsonLines<Record<string, number | string | null>>(
      join(dir, 'work', 'training-set.jsonl'),
    )
    const pickups = legs.filter((l) => l.leg === 'pickup')
    expect(pickups.length).toBeGreaterThan(50)
    const samples = new Map<string, { ts: number; lat: number; lon: number }[]>()
    for (const e of simulate({
      seed: HISTORY.seed,
      cars: HISTORY.cars,
      startMs: Date.parse(HISTORY.from),
      durationMs: HISTORY.hours * 3_600_000,
    })) {
      if (e.kind !== 'telemetry') continue
      const list = samples.get(e.event.carId) ?? []
      list.push({ ts: e.event.ts, ...e.event.position })
      samples.set(e.event.carId, list)
    }
    for (const leg of pickups) {
      const at = leg.timestamp as number
      // car_location's final record of a minute becomes available after the minute + 30 s of grace: the origin
      // is the car's last sample of a minute that had closed by then, never a later one.
      const source = samples
        .get(leg.car as string)!
        .filter((s) => s.lat === leg.origin_lat && s.lon === leg.origin_lon)
        .map((s) => s.ts)
      expect(source.length).toBeGreaterThan(0)
      expect(Math.min(...source)).toBeLessThanOrEqual(at - 30_000)
      expect(Math.max(...source)).toBeGreaterThan(at - 10 * 60_000)
    }
  })
})
