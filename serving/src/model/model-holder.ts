import type { EtaModel } from './eta-model.js'

/** What a reload did. */
export interface ReloadOutcome {
  previous: string
  current: string
  /** False when the directory held the model already serving (same ONNX bytes and version): nothing swapped. */
  swapped: boolean
}

interface Slot {
  model: EtaModel
  inflight: number
  retired: boolean
}

/**
 * Holds the model that serves, and swaps in a new one without failing a request: `reload` loads and checks the
 * new model completely (a bad one throws and the old one keeps serving), then replaces the reference. Requests
 * score through `use`, which pins the model they started with; a replaced model's session is released when its
 * last pinned request finishes.
 *
 * @example
 * const holder = new ModelHolder(await load(), load)
 * const seconds = await holder.use((model) => model.score(rows, 2))
 * await holder.reload() // e.g. from POST /v1/admin/model/reload
 */
export class ModelHolder {
  #slot: Slot
  readonly #load: () => Promise<EtaModel>
  #reloading: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(initial: EtaModel, load: () => Promise<EtaModel>) {
    this.#slot = { model: initial, inflight: 0, retired: false }
    this.#load = load
  }

  /** The model serving now (for descriptions; score through `use`). */
  get current(): EtaModel {
    return this.#slot.model
  }

  /** Runs `fn` with the current model, keeping that model alive until `fn` settles. */
  async use<T>(fn: (model: EtaModel) => Promise<T>): Promise<T> {
    const slot = this.#slot
    slot.inflight++
    try {
      return await fn(slot.model)
    } finally {
      slot.inflight--
      if (slot.retired && slot.inflight === 0) void slot.model.release().catch(() => {})
    }
  }

  /** Loads the model again from its source and swaps it in. Reloads run one at a time. */
  reload(): Promise<ReloadOutcome> {
    const run = this.#reloading.then(async (): Promise<ReloadOutcome> => {
      if (this.#closed) throw new Error('model holder is closed')
      const next = await this.#load()
      const old = this.#slot
      if (next.sha256 === old.model.sha256 && next.version === old.model.version) {
        await next.release()
        return { previous: old.model.version, current: old.model.version, swapped: false }
      }
      this.#slot = { model: next, inflight: 0, retired: false }
      this.#retire(old)
      return { previous: old.model.version, current: next.version, swapped: true }
    })
    this.#reloading = run.catch(() => {})
    return run
  }

  /** Releases the current model once its requests finish; no reload after this. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#reloading
    this.#retire(this.#slot)
  }

  #retire(slot: Slot): void {
    if (slot.retired) return
    slot.retired = true
    if (slot.inflight === 0) void slot.model.release().catch(() => {})
  }
}
