import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ClickHouseClientOptions, createClickHouseClient } from '../client.js'

/** Where a test suite's ClickHouse data lives: a temp chDB dir of its own, or databases on CLICKHOUSE_URL. */
export interface TestTarget {
  readonly mode: 'embedded' | 'server'
  /** Client options for a database of this suite (created on first use; embedded mode creates it itself). */
  options(database: string): Promise<ClickHouseClientOptions>
  /** Drops the suite's databases (server) or deletes its data dir (embedded). */
  cleanup(): Promise<void>
}

/**
 * Opens the suite's target: embedded chDB in a fresh temp dir unless CLICKHOUSE_URL is set, so parallel suites
 * never share a data dir (vitest runs each file in its own process, and chDB binds one dir per process).
 *
 * @example
 * const target = await openTestTarget('writer')
 * const writer = await createClickHouseOfflineWriter({ ...(await target.options('replay')), views })
 */
export async function openTestTarget(suite: string): Promise<TestTarget> {
  const url = process.env.CLICKHOUSE_URL || undefined
  if (url === undefined) {
    const dataDir = await mkdtemp(join(tmpdir(), `freshet-${suite}-`))
    return {
      mode: 'embedded',
      options: async (database) => ({ dataDir: join(dataDir, 'chdb'), database }),
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    }
  }
  const prefix = `freshet_${suite}_${process.pid}_${Date.now()}`
  const created = new Set<string>()
  const admin = () => createClickHouseClient({ url })
  return {
    mode: 'server',
    async options(database) {
      const name = `${prefix}_${database}`
      if (!created.has(name)) {
        const client = admin()
        try {
          await client.command({
            query: 'CREATE DATABASE IF NOT EXISTS {db:Identifier}',
            query_params: { db: name },
          })
        } finally {
          await client.close()
        }
        created.add(name)
      }
      return { url, database: name }
    },
    async cleanup() {
      const client = admin()
      try {
        for (const db of created) {
          await client.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db } })
        }
      } finally {
        await client.close()
      }
    },
  }
}
