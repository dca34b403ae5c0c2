interface Entry<T> {
  timeMs: number
  seq: number
  item: T
}

/**
 * Min-heap of scheduled simulation actions, ordered by time and then by scheduling order. The tie-break on
 * insertion order is what keeps runs byte-identical: two actions due in the same millisecond always run in the
 * order they were scheduled.
 *
 * @example
 * const q = new EventQueue<string>()
 * q.push(2000, 'b'); q.push(1000, 'a')
 * q.pop()?.item // 'a'
 */
export class EventQueue<T> {
  private readonly heap: Entry<T>[] = []
  private seq = 0

  get size(): number {
    return this.heap.length
  }

  /** Time of the earliest action, or +Infinity when nothing is scheduled. */
  peekTime(): number {
    return this.heap[0]?.timeMs ?? Number.POSITIVE_INFINITY
  }

  push(timeMs: number, item: T): void {
    const heap = this.heap
    const entry: Entry<T> = { timeMs, seq: this.seq++, item }
    let i = heap.length
    heap.push(entry)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]!
      if (!before(entry, p)) break
      heap[i] = p
      i = parent
    }
    heap[i] = entry
  }

  pop(): { timeMs: number; item: T } | undefined {
    const heap = this.heap
    const top = heap[0]
    if (top === undefined) return undefined
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      const n = heap.length
      for (;;) {
        const left = 2 * i + 1
        if (left >= n) break
        const right = left + 1
        const child = right < n && before(heap[right]!, heap[left]!) ? right : left
        if (!before(heap[child]!, last)) break
        heap[i] = heap[child]!
        i = child
      }
      heap[i] = last
    }
    return top
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq)
}
