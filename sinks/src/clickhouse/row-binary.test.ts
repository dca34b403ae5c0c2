import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseClient } from './client.js'
import { RowBinaryBuffer } from './row-binary.js'
import { openTestTarget, type TestTarget } from './testing/test-target.js'

interface Row {
  id: number
  ts: number
  name: string
  score: number | null
  flag: boolean | null
}

describe('RowBinaryBuffer inserted into ClickHouse', () => {
  let target: TestTarget
  let client: ClickHouseClient

  beforeAll(async () => {
    target = await openTestTarget('row-binary')
    client = createClickHouseClient(await target.options('rows'))
  })
  afterAll(async () => {
    await client?.close()
    await target?.cleanup()
  })

  it('reads back every value as written: 64-bit ids, times before 1970, UTF-8 and long strings, nulls', async () => {
    await client.command({
      query: `CREATE TABLE rows (id UInt64, ts DateTime64(3, 'UTC'), name String, score Nullable(Float64),
        flag Nullable(Bool)) ENGINE = MergeTree ORDER BY id`,
    })
    const written: Row[] = [
      { id: 0, ts: -1, name: 'ünïcødé 🚗', score: null, flag: true },
      { id: 2 ** 40 + 5, ts: 1_763_596_800_123, name: 'x'.repeat(300), score: 1.5, flag: false },
      { id: 7, ts: 0, name: '', score: -0.25, flag: null },
      // 42 UTF-16 units is the one-byte-length fast path at its limit; 43 of them take the two-byte length.
      { id: 8, ts: 2 ** 32 + 1, name: '€'.repeat(42), score: Number.MAX_VALUE, flag: null },
      { id: Number.MAX_SAFE_INTEGER, ts: -(2 ** 33) - 7, name: '€'.repeat(43), score: null, flag: false },
    ]
    const rows = new RowBinaryBuffer(16) // tiny, so the buffer has to grow
    for (const r of written) {
      rows.uint64(r.id).dateTime64ms(r.ts).string(r.name)
      if (rows.present(r.score)) rows.float64(r.score)
      if (rows.present(r.flag)) rows.bool(r.flag)
    }
    const { stream } = await client.exec({
      query: 'INSERT INTO rows (id, ts, name, score, flag) FORMAT RowBinary',
      values: Readable.from([rows.take()]),
    })
    stream.resume()
    await finished(stream)
    expect(rows.length).toBe(0)

    const result = await client.query({
      query: `SELECT toString(id) AS key, toUnixTimestamp64Milli(ts) AS ts, name, score, flag FROM rows ORDER BY id`,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
    const read = (await result.json<Omit<Row, 'id'> & { key: string }>()).map(({ key, ...r }) => ({
      id: Number(key),
      ...r,
    }))
    expect(read).toEqual([...written].sort((a, b) => a.id - b.id))
  })
})
