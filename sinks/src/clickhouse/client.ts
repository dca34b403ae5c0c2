/**
 * The one place that builds a ClickHouse client. Callers get a plain `@clickhouse/client` `ClickHouseClient`
 * and never care whether it talks to a server over HTTP or to chDB, ClickHouse embedded in this process.
 */

import { randomUUID } from 'node:crypto'
import { createWriteStream, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  type ClickHouseSettings,
  createClient,
} from '@clickhouse/client'
import { FreshetError } from '@freshet/feature-store'
import { createChdbConnection } from 'chdb/connection'

export interface ClickHouseClientOptions {
  /** HTTP(S) URL of a ClickHouse server, e.g. `http://127.0.0.1:8123`. Default: none, use embedded chDB. */
  url?: string
  /** Server mode only. Default `default`. */
  username?: string
  /** Server mode only. Default empty. */
  password?: string
  /** Database for unqualified table names; created if missing in embedded mode. Default `default`. */
  database?: string
  /** Embedded mode only: where chDB keeps its data. Default `<cwd>/.freshet/chdb`. */
  dataDir?: string
}

/** Which ClickHouse a set of options points at, safe to log (never carries a password). */
export type ClickHouseTarget =
  | { mode: 'server'; url: string; username: string; database: string }
  | { mode: 'embedded'; engine: 'chdb'; dataDir: string; database: string }

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>

/** Names the process owning an embedded data dir. chDB's own flock on `<dataDir>/status` is the hard guard. */
export const CHDB_OWNER_FILE = '.freshet-owner'
const DEFAULT_DATABASE = 'default'

/**
 * Pinned so both modes answer alike: ClickHouse 25.8 stopped quoting 64-bit integers in JSON formats by default
 * (chDB is newer, many servers are older), and unquoted values above 2^53 lose precision in `JSON.parse`.
 */
const SESSION_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const satisfies ClickHouseSettings

/**
 * Describes where {@link createClickHouseClient} would connect, for startup logs.
 *
 * @example
 * logger.info({ clickhouse: describeClickHouse(config.clickhouse) }, 'offline store')
 * // { mode: 'embedded', engine: 'chdb', dataDir: '/repo/.freshet/chdb', database: 'default' }
 */
export function describeClickHouse(options: ClickHouseClientOptions = {}): ClickHouseTarget {
  const database = options.database ?? DEFAULT_DATABASE
  if (options.url === undefined) {
    return { mode: 'embedded', engine: 'chdb', dataDir: resolveDataDir(options), database }
  }
  const url = parseUrl(options.url)
  const username = options.username ?? (url.username ? decodeURIComponent(url.username) : 'default')
  // Origin and path only: credentials may hide in userinfo or in query parameters.
  return { mode: 'server', url: `${url.origin}${url.pathname}`, username, database }
}

/**
 * Creates a ClickHouse client: a server over HTTP when `url` is given, otherwise chDB embedded in this process
 * on `dataDir`. An embedded data dir belongs to one process; another process opening it gets `STORE_UNAVAILABLE`.
 * Close the client to release it.
 *
 * Embedded mode runs calls one at a time (chDB serialises a session anyway) and scopes `clickhouse_settings` to
 * their call: chDB applies them with `SET`, which would otherwise stick to every later call on the client. So do
 * not feed an insert's value stream from a query on the same client: it would wait for the insert forever.
 * Inserts in a binary format (`INSERT INTO t [(columns)] FORMAT RowBinary`, Native, Parquet, …) work in both
 * modes: chDB takes an insert body as SQL text, so embedded mode passes such a body through a temporary file.
 *
 * @example
 * const clickhouse = createClickHouseClient({ dataDir: '/tmp/freshet/chdb' })
 * const rows = await (await clickhouse.query({
 *   query: 'SELECT count() AS n FROM features WHERE entity = {entity:String}',
 *   query_params: { entity: 'car-0001' }, format: 'JSONEachRow',
 * })).json()
 * await clickhouse.close()
 */
export function createClickHouseClient(options: ClickHouseClientOptions = {}): ClickHouseClient {
  const target = describeClickHouse(options)
  if (target.mode === 'server') {
    return createClient({
      url: options.url,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      database: target.database,
      clickhouse_settings: SESSION_SETTINGS,
    })
  }
  const release = acquireDataDir(target.dataDir)
  let inner: Connection
  try {
    // chdb types the contract with @clickhouse/client-common 1.23.0, the client with its own bundled copy:
    // the same interface, declared twice, so TypeScript cannot see they match.
    inner = createChdbConnection({ path: target.dataDir }) as unknown as Connection
  } catch (cause) {
    release()
    throw new FreshetError(
      'STORE_UNAVAILABLE',
      `cannot open chDB data dir ${target.dataDir}: ${(cause as Error).message}`,
      { cause },
    )
  }
  return createClient({ connection: embeddedConnection(inner, target.database, release) })
}

function resolveDataDir(options: ClickHouseClientOptions): string {
  return resolve(options.dataDir ?? join(process.cwd(), '.freshet', 'chdb'))
}

function parseUrl(url: string): URL {
  try {
    return new URL(url)
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', `ClickHouse url is not a URL: ${JSON.stringify(url)}`, { cause })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Embedded connection: serialised calls, per-call settings, optional database.

function embeddedConnection(inner: Connection, database: string, release: () => void): Connection {
  let queue: Promise<unknown> = Promise.resolve()
  let initialised = false
  let closed = false

  // SET and USE stick to this connection's chDB session: here that is the point.
  const init = async () => {
    const pinned = Object.entries(SESSION_SETTINGS).map(([name, value]) => `${name} = ${value}`)
    await inner.command({ query: `SET ${pinned.join(', ')}` })
    if (database !== DEFAULT_DATABASE) {
      await inner.command({
        query: 'CREATE DATABASE IF NOT EXISTS {db:Identifier}',
        query_params: { db: database },
      })
      await inner.command({ query: 'USE {db:Identifier}', query_params: { db: database } })
    }
    initialised = true
  }

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      if (!initialised && !closed) await init()
      return work()
    })
    queue = run.catch(() => undefined)
    return run
  }

  const scoped = async <T>(settings: ClickHouseSettings | undefined, work: () => Promise<T>): Promise<T> => {
    const names = Object.entries(settings ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name)
    if (names.length === 0) return work()
    const before = await currentSettings(inner, names)
    try {
      return await work()
    } finally {
      // Put back what the session had; settings chDB never SETs (HTTP-only ones) have no row and need nothing.
      if (before.length > 0) {
        const assignments = before.map((s) => `${s.name} = ${s.changed ? sqlString(s.value) : 'DEFAULT'}`)
        await inner.command({ query: `SET ${assignments.join(', ')}` })
      }
    }
  }

  return {
    ping: (params) => serial(() => inner.ping(params)),
    query: (params) => serial(() => scoped(params.clickhouse_settings, () => inner.query(params))),
    command: (params) => serial(() => scoped(params.clickhouse_settings, () => inner.command(params))),
    exec: (params) => {
      const binary = params.values === undefined ? undefined : binaryInsert(params.query)
      if (binary === undefined) {
        return serial(() => scoped(params.clickhouse_settings, () => inner.exec(params)))
      }
      const { values, ...rest } = params
      return serial(() =>
        viaFile(values!, binary, (query) =>
          scoped(params.clickhouse_settings, () => inner.exec({ ...rest, query })),
        ),
      )
    },
    insert: (params) => {
      const binary = binaryInsert(params.query)
      if (binary === undefined) {
        return serial(() => scoped(params.clickhouse_settings, () => inner.insert(params)))
      }
      const { values, ...rest } = params
      return serial(() =>
        viaFile(values, binary, (query) =>
          scoped(params.clickhouse_settings, () => inner.command({ ...rest, query })),
        ),
      )
    },
    close: async () => {
      if (closed) return
      closed = true
      await queue
      try {
        await inner.close()
      } finally {
        release()
      }
    },
  }
}

/** Formats whose bytes are not text: chDB would mangle them as part of the SQL string. */
const BINARY_FORMATS = new Set(
  ['RowBinary', 'RowBinaryWithNames', 'RowBinaryWithNamesAndTypes', 'RowBinaryWithDefaults', 'Native']
    .concat(['Parquet', 'Arrow', 'ArrowStream', 'ORC', 'Avro', 'MsgPack', 'BSONEachRow'])
    .map((f) => f.toLowerCase()),
)

/** `INSERT INTO t [(columns)] FORMAT <binary>` split around the format; undefined for any other statement. */
function binaryInsert(query: string): { head: string; format: string } | undefined {
  const match = /^\s*(INSERT\s+INTO\s[\s\S]*?)\s+FORMAT\s+(\w+)\s*$/i.exec(query)
  if (match === null || !BINARY_FORMATS.has(match[2]!.toLowerCase())) return undefined
  // FROM INFILE goes before any SETTINGS clause; keep the rewrite trivially right by allowing none.
  if (/\bSETTINGS\b/i.test(match[1]!)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      'embedded chDB: a binary-format insert takes its settings as clickhouse_settings, not inline SETTINGS',
    )
  }
  return { head: match[1]!, format: match[2]! }
}

/** Writes an insert body to a temporary file and runs `INSERT … FROM INFILE` on it: chDB reads the bytes as they are. */
async function viaFile<T>(
  values: unknown,
  insert: { head: string; format: string },
  run: (query: string) => Promise<T>,
): Promise<T> {
  const file = join(tmpdir(), `freshet-chdb-insert-${randomUUID()}.${insert.format.toLowerCase()}`)
  try {
    const body = typeof values === 'string' || values instanceof Uint8Array ? Readable.from([values]) : values
    await pipeline(body as NodeJS.ReadableStream, createWriteStream(file, { mode: 0o600 })) // labels may be private
    return await run(`${insert.head} FROM INFILE ${sqlString(file)} FORMAT ${insert.format}`)
  } finally {
    await rm(file, { force: true })
  }
}

interface SettingRow {
  name: string
  value: string
  changed: number | boolean
}

async function currentSettings(inner: Connection, names: readonly string[]): Promise<SettingRow[]> {
  const result = await inner.query({
    query:
      'SELECT name, value, changed FROM system.settings WHERE name IN {names:Array(String)} FORMAT JSONEachRow',
    query_params: { names },
  })
  let text = ''
  for await (const chunk of result.stream) text += String(chunk)
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SettingRow)
}

function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

// ---------------------------------------------------------------------------------------------------------------
// Data dir ownership.

/** Data dirs this process holds, with the number of open clients on each (one process may open many). */
const heldDataDirs = new Map<string, number>()

function acquireDataDir(dataDir: string): () => void {
  let released = false
  const release = () => {
    if (released) return
    released = true
    releaseDataDir(dataDir)
  }
  const held = heldDataDirs.get(dataDir)
  if (held !== undefined) {
    heldDataDirs.set(dataDir, held + 1)
    return release
  }
  const ownerFile = join(dataDir, CHDB_OWNER_FILE)
  try {
    mkdirSync(dataDir, { recursive: true })
  } catch (cause) {
    throw new FreshetError('STORE_UNAVAILABLE', `cannot create chDB data dir ${dataDir}`, { cause })
  }
  for (let attempt = 0; ; attempt++) {
    if (tryCreateOwnerFile(ownerFile)) break
    const owner = readOwner(ownerFile)
    if ((owner !== null && owner !== process.pid && isRunning(owner)) || attempt > 0) {
      throw new FreshetError(
        'STORE_UNAVAILABLE',
        `chDB data dir ${dataDir} is in use by process ${owner ?? '(unknown)'}: an embedded ClickHouse data dir ` +
          `belongs to one process. Stop that process, or use another dataDir or a ClickHouse server url ` +
          `(if that pid is not a Freshet process, delete ${ownerFile}).`,
      )
    }
    // The owner died without closing its client (or the file is garbage): take over.
    rmSync(ownerFile, { force: true })
  }
  heldDataDirs.set(dataDir, 1)
  return release
}

function releaseDataDir(dataDir: string): void {
  const held = heldDataDirs.get(dataDir) ?? 0
  if (held > 1) {
    heldDataDirs.set(dataDir, held - 1)
    return
  }
  heldDataDirs.delete(dataDir)
  const ownerFile = join(dataDir, CHDB_OWNER_FILE)
  if (readOwner(ownerFile) === process.pid) rmSync(ownerFile, { force: true })
}

/** Link, not open('wx'): the owner file appears atomically with the pid already in it, never empty. */
function tryCreateOwnerFile(ownerFile: string): boolean {
  const tmp = `${ownerFile}.${process.pid}.tmp`
  writeFileSync(tmp, `${process.pid}\n`)
  try {
    linkSync(tmp, ownerFile)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new FreshetError('STORE_UNAVAILABLE', `cannot create ${ownerFile}`, { cause: err })
  } finally {
    rmSync(tmp, { force: true })
  }
}

function readOwner(ownerFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(ownerFile, 'utf8').trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Sync twin of support/liveness `isAlive`: a zombie counts as dead, it has already dropped chDB's lock. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.charAt(stat.lastIndexOf(')') + 2)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true
  }
}
