import { describe, expect, it } from 'vitest'
import { parseModelCard } from './model-card.js'
import { testModelCard } from './testing/model-dir.js'

const online = { kind: 'online', entity: 'car', type: 'number' } as const

describe('parseModelCard', () => {
  it('reads a card in the contract’s shape, defaulting on-demand inputs to refuse', () => {
    const card = parseModelCard(
      JSON.stringify({
        ...testModelCard('eta-20251201T0800-1a2b3c4d', []),
        inputs: [
          { name: 'leg_distance_km', kind: 'on_demand' },
          { ...online, name: 'car_motion:v1:speed_kmh_mean_15m', on_missing: 'default', default: 27.3 },
        ],
      }),
      'card.json',
    )
    expect(card.model_version).toBe('eta-20251201T0800-1a2b3c4d')
    expect(card.inputs).toEqual([
      { name: 'leg_distance_km', kind: 'on_demand', on_missing: 'refuse' },
      { ...online, name: 'car_motion:v1:speed_kmh_mean_15m', on_missing: 'default', default: 27.3 },
    ])
  })

  it('lists every problem of a bad card at once, naming the file', () => {
    const bad = {
      ...testModelCard('eta x', []),
      onnx: { file: '../model.onnx', input: 'input', output: 'variable', dtype: 'float64' },
      inputs: [
        { ...online, name: 'speed', on_missing: 'refuse' },
        { ...online, name: 'car_motion:v1:speed_kmh_mean_15m', on_missing: 'default' },
      ],
    }
    let message = ''
    try {
      parseModelCard(JSON.stringify(bad), 'serving/model/model-card.json')
    } catch (err) {
      expect(err).toMatchObject({ code: 'MODEL_INVALID' })
      message = (err as Error).message
    }
    expect(message).toMatch(/model card serving\/model\/model-card.json is not valid/)
    expect(message).toMatch(/model_version/)
    expect(message).toMatch(/onnx\.file is a file name next to the card/)
    expect(message).toMatch(/dtype/)
    expect(message).toMatch(/online inputs are feature refs view:vN:feature/)
    expect(message).toMatch(/on_missing 'default' needs a finite number 'default'/)
  })

  it('refuses an input listed twice', () => {
    const twice = {
      ...testModelCard('eta-twice', []),
      inputs: [
        { ...online, name: 'car_motion:v1:speed_kmh_mean_15m', on_missing: 'refuse' },
        { ...online, name: 'car_motion:v1:speed_kmh_mean_15m', on_missing: 'refuse' },
      ],
    }
    expect(() => parseModelCard(JSON.stringify(twice), 'c.json')).toThrow(
      /duplicate input car_motion:v1:speed_kmh_mean_15m/,
    )
  })

  it('refuses text that is not JSON', () => {
    expect(() => parseModelCard('{', 'x.json')).toThrow(/model card x.json is not JSON/)
  })
})
