/** One key's next due time. */
export interface Deadline {
  readonly key: string
  readonly due: number
}

/**
 * At most one due time per key, earliest first, ties by key (code-unit order), so whatever pops at the same
 * watermark pops in the same order in every run. An indexed binary heap: `set` moves an existing key instead
 * of leaving a stale entry behind, so the heap never holds more entries than there are keys.
 *
 * @example
 * const q = new DeadlineQueue()
 * q.set('car-0002', 30_000)
 * q.set('car-0001', 30_000)
 * q.pop() // { key: 'car-0001', due: 30_000 }
 */
export class DeadlineQueue {
  private readonly heap: Deadline[] = []
  private readonly position = new Map<string, number>()

  get size(): number {
    return this.heap.length
  }

  /** Sets (or moves) the key's due time. */
  set(key: string, due: number): void {
    const at = this.position.get(key)
    if (at === undefined) {
      this.heap.push({ key, due })
      this.position.set(key, this.heap.length - 1)
      this.up(this.heap.length - 1)
      return
    }
    this.heap[at] = { key, due }
    this.up(at)
    this.down(this.position.get(key)!)
  }

  delete(key: string): void {
    const at = this.position.get(key)
    if (at === undefined) return
    const last = this.heap.pop()!
    this.position.delete(key)
    if (at === this.heap.length) return
    this.heap[at] = last
    this.position.set(last.key, at)
    this.up(at)
    this.down(this.position.get(last.key)!)
  }

  peek(): Deadline | undefined {
    return this.heap[0]
  }

  pop(): Deadline | undefined {
    const top = this.heap[0]
    if (top) this.delete(top.key)
    return top
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(this.heap[i]!, this.heap[parent]!)) return
      this.swap(i, parent)
      i = parent
    }
  }

  private down(i: number): void {
    const n = this.heap.length
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let first = i
      if (left < n && before(this.heap[left]!, this.heap[first]!)) first = left
      if (right < n && before(this.heap[right]!, this.heap[first]!)) first = right
      if (first === i) return
      this.swap(i, first)
      i = first
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!
    const b = this.heap[j]!
    this.heap[i] = b
    this.heap[j] = a
    this.position.set(b.key, i)
    this.position.set(a.key, j)
  }
}

function before(a: Deadline, b: Deadline): boolean {
  return a.due < b.due || (a.due === b.due && a.key < b.key)
}
