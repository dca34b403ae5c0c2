import type { AnyFeatureView, OfflineFeatureWriter } from '@freshet/feature-store'
import { createBackfillClient, type KafkaBackbone, startBackfillWorker } from '@freshet/pipelines'
import { formatBackfillStatus } from '../cli/backfill-output.js'

export interface BackfillStageOptions {
  kafka: KafkaBackbone
  redisUrl: string
  views: readonly AnyFeatureView[]
  /** The demo's offline writer: this process owns the chDB dir, so it hosts the backfill worker too. */
  offline: OfflineFeatureWriter
  say(line: string): void
}

/**
 * The replay leg of the demo: one BullMQ backfill of `car_motion:v1` over the history the demo simulated, into
 * the offline store, through the same definition code and idempotent writer as live. The worker runs in this
 * process (it owns the chDB data dir, as the sink deployable does) under its own queue prefix, so a running
 * `npm run sink` does not pick the demo's jobs up.
 *
 * @example
 * await runBackfillStage({ kafka, redisUrl, views, offline, say }, { from, to })
 */
export async function runBackfillStage(
  options: BackfillStageOptions,
  range: { from: number; to: number },
): Promise<void> {
  const prefix = 'freshet-demo'
  const worker = startBackfillWorker({
    kafka: options.kafka,
    redisUrl: options.redisUrl,
    prefix,
    views: options.views,
    offline: options.offline,
    concurrency: 2,
  })
  const client = createBackfillClient({ redisUrl: options.redisUrl, prefix, views: options.views })
  try {
    await worker.ready
    const started = await client.start({
      views: ['car_motion:v1'],
      from: range.from,
      to: range.to,
      target: 'offline',
      requestedBy: 'demo',
    })
    options.say(
      `backfill ${started.id}: replaying car_motion:v1 from Kafka for ${new Date(range.from).toISOString().slice(11, 16)}` +
        `–${new Date(range.to).toISOString().slice(11, 16)} UTC into ClickHouse (BullMQ, one child per partition)`,
    )
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const status = await client.status(started.id)
      if (status === undefined) throw new Error(`backfill ${started.id} disappeared`)
      if (['completed', 'cancelled', 'failed'].includes(status.state)) {
        for (const line of formatBackfillStatus(status).split('\n')) options.say(`  ${line}`)
        options.say(
          `backfill ${status.state}: ${status.totals.events} events replayed, ${status.totals.written} feature ` +
            'records rewritten; idempotent writes, so the offline store holds the same rows as before',
        )
        return
      }
    }
  } finally {
    await client.close()
    await worker.close()
  }
}
