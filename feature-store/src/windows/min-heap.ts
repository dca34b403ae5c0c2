/** Entry of the engines' timer heaps: "look at `key` once the watermark reaches `at`". */
export interface Timer {
  at: number
  key: string
}

/**
 * Binary min-heap of timers ordered by `at`. The session and sliding engines use it so advancing the
 * watermark touches only keys with something due, not every key ever seen.
 */
export class TimerHeap {
  private readonly items: Timer[] = []

  get size(): number {
    return this.items.length
  }

  push(timer: Timer): void {
    const items = this.items
    items.push(timer)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent]!.at <= timer.at) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = timer
  }

  /** Removes and returns the earliest timer if it is due (`at` ≤ `limit`). */
  popDue(limit: number): Timer | undefined {
    const items = this.items
    const top = items[0]
    if (top === undefined || top.at > limit) return undefined
    const moved = items.pop()!
    const n = items.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const child = l + 1 < n && items[l + 1]!.at < items[l]!.at ? l + 1 : l
        if (items[child]!.at >= moved.at) break
        items[i] = items[child]!
        i = child
      }
      items[i] = moved
    }
    return top
  }
}
