/**
 * `freshet backfill`: start, watch, cancel and list backfills. It talks to the backfill queues in Redis
 * (BullMQ) directly; the workers run in the sink deployable (`npm run sink`), which must be running for a
 * backfill to make progress.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'
import {
  type BackfillClient,
  type BackfillStatus,
  createBackfillClient,
  featureViews,
  onlineRebuildRequest,
  parseBackfillTime,
} from '@freshet/pipelines'
import { type BackfillArgs, parseBackfillArgs, USAGE } from './backfill-args.js'
import { formatBackfillList, formatBackfillStatus } from './backfill-output.js'
import { parseOrUsage, runCommand } from './run-command.js'

const FINISHED = new Set(['completed', 'failed', 'cancelled'])

/** Re-renders a status until it finishes: redrawn in place on a terminal, once at the end otherwise. */
async function watch(client: BackfillClient, id: string, json: boolean): Promise<BackfillStatus> {
  const tty = process.stdout.isTTY && !json
  let drawn = 0
  for (;;) {
    const status = await client.status(id)
    if (status === undefined) throw new FreshetError('CONFIG_INVALID', `no backfill ${id}`)
    const done = FINISHED.has(status.state)
    if (tty) {
      const text = formatBackfillStatus(status)
      if (drawn > 0) process.stdout.write(`\x1b[${drawn}A\x1b[J`)
      process.stdout.write(`${text}\n`)
      drawn = text.split('\n').length
    }
    if (done) return status
    await sleep(1000)
  }
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`)
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseOrUsage(() => parseBackfillArgs(argv, process.env), USAGE)
  if (typeof args === 'number') return args
  const client = createBackfillClient({ redisUrl: args.redisUrl, prefix: args.prefix, views: featureViews })
  try {
    const now = Date.now()
    switch (args.command) {
      case 'start':
      case 'rebuild-online': {
        const request =
          args.command === 'start'
            ? {
                views: args.views,
                from: parseBackfillTime(args.from!, now, '--from'),
                to: args.to === undefined ? now : parseBackfillTime(args.to, now, '--to'),
                target: args.target,
              }
            : onlineRebuildRequest(featureViews, now)
        const started = await client.start({
          ...request,
          requestedBy: `cli:${process.env.USER ?? 'unknown'}`,
        })
        if (!args.wait) {
          print(args.json, started, `${started.id}\n  watch: freshet backfill status ${started.id} --watch`)
          return 0
        }
        const status = await watch(client, started.id, args.json)
        if (!process.stdout.isTTY || args.json) print(args.json, status, formatBackfillStatus(status))
        return status.state === 'completed' ? 0 : 1
      }
      case 'status': {
        if (args.wait) {
          const status = await watch(client, args.id!, args.json)
          if (!process.stdout.isTTY || args.json) print(args.json, status, formatBackfillStatus(status))
          return status.state === 'completed' ? 0 : 1
        }
        const status = await client.status(args.id!)
        if (status === undefined) throw new FreshetError('CONFIG_INVALID', `no backfill ${args.id}`)
        print(args.json, status, formatBackfillStatus(status))
        return 0
      }
      case 'cancel': {
        const status = await client.cancel(args.id!)
        if (status === undefined) throw new FreshetError('CONFIG_INVALID', `no backfill ${args.id}`)
        print(args.json, status, `${status.id} ${status.state}`)
        return 0
      }
      case 'list': {
        const backfills = await client.list({ limit: args.limit })
        print(args.json, { backfills }, formatBackfillList(backfills))
        return 0
      }
    }
  } finally {
    await client.close()
  }
}

runCommand(main, process.argv.slice(2))
