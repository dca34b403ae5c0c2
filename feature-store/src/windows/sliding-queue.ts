import type { AggregationPlan, Row } from './aggregation-plan.js'

interface Item {
  ts: number
  row: Row
}

interface FrontItem extends Item {
  /** Merge of this item and every newer item still in the front stack. */
  agg: Row
}

/**
 * FIFO of sealed (immutable) rows in event-time order with an O(1)-amortised aggregate of its contents:
 * the classic two-stacks sliding-window aggregation. Each row takes part in about three merges in its
 * life instead of one per window it falls in, which matters for sketches (a HyperLogLog merge touches
 * thousands of registers). Only needs `merge` to be associative, which every aggregator guarantees.
 */
export class SlidingQueue {
  private front: FrontItem[] = []
  private back: Item[] = []
  private backAgg: Row | null = null

  constructor(private readonly plan: AggregationPlan) {}

  get length(): number {
    return this.front.length + this.back.length
  }

  /** Appends a row newer than everything queued. Rows are shared, so they must never change again. */
  push(ts: number, row: Row): void {
    this.back.push({ ts, row })
    this.backAgg = this.backAgg === null ? row : this.plan.merge(this.backAgg, row)
  }

  /** Drops rows older than `minTs`. */
  evictBefore(minTs: number): void {
    for (;;) {
      if (this.front.length === 0) this.flip()
      const oldest = this.front[this.front.length - 1]
      if (oldest === undefined || oldest.ts >= minTs) return
      this.front.pop()
    }
  }

  /** Merge of every queued row, or null when empty. Treat as read-only: it may be a queued row itself. */
  aggregate(): Row | null {
    const frontAgg = this.front[this.front.length - 1]?.agg ?? null
    if (frontAgg === null) return this.backAgg
    return this.backAgg === null ? frontAgg : this.plan.merge(frontAgg, this.backAgg)
  }

  /** Queued rows, oldest first. */
  items(): Item[] {
    const older = this.front.map(({ ts, row }) => ({ ts, row })).reverse()
    return [...older, ...this.back]
  }

  private flip(): void {
    let agg: Row | null = null
    for (let i = this.back.length - 1; i >= 0; i--) {
      const { ts, row } = this.back[i]!
      agg = agg === null ? row : this.plan.merge(row, agg)
      this.front.push({ ts, row, agg })
    }
    this.back = []
    this.backAgg = null
  }
}
