import { describe, expect, it } from 'vitest'
import type { EtaModel } from './eta-model.js'
import { ModelHolder } from './model-holder.js'

/** A stand-in model (pure unit: the holder only swaps references and counts requests). */
function fakeModel(version: string, sha256 = version) {
  const state = { released: 0 }
  const model = {
    version,
    sha256,
    card: {} as EtaModel['card'],
    views: new Map(),
    loadedAt: 0,
    score: async () => new Float32Array(),
    release: async () => {
      state.released++
    },
  } satisfies EtaModel
  return { model, state }
}

function gate() {
  let open: () => void = () => {}
  const opened = new Promise<void>((r) => {
    open = r
  })
  return { open, opened }
}

describe('ModelHolder', () => {
  it('keeps a replaced model alive until the requests pinned to it finish, then releases it once', async () => {
    const v1 = fakeModel('v1')
    const v2 = fakeModel('v2')
    const holder = new ModelHolder(v1.model, async () => v2.model)
    const g = gate()
    const inflight = holder.use(async (m) => {
      await g.opened
      return m.version
    })
    expect(await holder.reload()).toEqual({ previous: 'v1', current: 'v2', swapped: true })
    expect(holder.current.version).toBe('v2')
    expect(await holder.use(async (m) => m.version)).toBe('v2')
    expect(v1.state.released).toBe(0)
    g.open()
    expect(await inflight).toBe('v1')
    expect(v1.state.released).toBe(1)
    await holder.close()
    expect(v2.state.released).toBe(1)
    expect(v1.state.released).toBe(1)
  })

  it('keeps the serving model when the new one fails to load', async () => {
    const v1 = fakeModel('v1')
    const holder = new ModelHolder(v1.model, async () => {
      throw new Error('does not fit')
    })
    await expect(holder.reload()).rejects.toThrow('does not fit')
    expect(holder.current).toBe(v1.model)
    expect(v1.state.released).toBe(0)
  })

  it('does not swap the same bytes and version, releasing the duplicate', async () => {
    const v1 = fakeModel('v1', 'abc')
    const again = fakeModel('v1', 'abc')
    const holder = new ModelHolder(v1.model, async () => again.model)
    expect(await holder.reload()).toEqual({ previous: 'v1', current: 'v1', swapped: false })
    expect(holder.current).toBe(v1.model)
    expect(again.state.released).toBe(1)
  })

  it('runs reloads one at a time, in call order', async () => {
    const versions = ['v2', 'v3']
    const holder = new ModelHolder(fakeModel('v1').model, async () => fakeModel(versions.shift()!).model)
    const [a, b] = await Promise.all([holder.reload(), holder.reload()])
    expect([a, b]).toEqual([
      { previous: 'v1', current: 'v2', swapped: true },
      { previous: 'v2', current: 'v3', swapped: true },
    ])
  })
})
