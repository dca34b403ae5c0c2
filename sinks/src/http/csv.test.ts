import { isFreshetError, type LabelRow } from '@freshet/feature-store'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CsvRecord, parseCsv } from './csv.js'
import { csvLabels } from './csv-labels.js'

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function thrown(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

const fields = async (text: string | string[]) =>
  (await collect(parseCsv(typeof text === 'string' ? [text] : text))).map((r) => r.fields)

/** What a careful writer emits: quotes a field when it must (or when asked), doubling inner quotes. */
function serialise(records: readonly { value: string; quote: boolean }[][]): string {
  const field = ({ value, quote }: { value: string; quote: boolean }) =>
    quote || /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value
  return records.map((r) => r.map(field).join(',')).join('\r\n')
}

describe('CSV parser', () => {
  it('reads quoted commas, line breaks and doubled quotes, CRLF, a BOM and a last line without newline', async () => {
    const text = '\uFEFFa,b,c\r\n"x,y","line1\nline2","say ""hi"""\r\n\r\n1,,3'
    expect(await fields(text)).toEqual([
      ['a', 'b', 'c'],
      ['x,y', 'line1\nline2', 'say "hi"'],
      ['1', '', '3'],
    ])
  })

  it('numbers each record by the line it starts on, counting line breaks inside quotes', async () => {
    const records = await collect(parseCsv(['h\n"a\nb"\n\nc\n']))
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'h'],
      [2, 'a\nb'],
      [5, 'c'],
    ])
  })

  it('tells a quoted field from a bare one', async () => {
    const [record] = await collect(parseCsv(['"42",42,""']))
    expect(record).toEqual({ fields: ['42', '42', ''], quoted: [true, false, true], line: 1 })
  })

  it('refuses text after a closing quote and a quote never closed, naming the line', async () => {
    const after = await thrown(() => fields('a\n"x"y,1\n'))
    expect(after.message).toMatch(/line 2: unexpected "y" after a closing quote/)
    const open = await thrown(() => fields('a\nb\n"never closed\n'))
    expect(open.message).toMatch(/line 3: a quoted field is never closed/)
  })

  it('reads the same records however the text is split into chunks', async () => {
    const alphabet = fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\n', '\r', 'é', '€')
    const record = fc.array(
      fc.record({ value: fc.string({ unit: alphabet, maxLength: 6 }), quote: fc.boolean() }),
      { minLength: 1, maxLength: 4 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (records, cuts) => {
          const text = serialise(records)
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
          const chunks = [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length))
          const parsed: CsvRecord[] = await collect(parseCsv(chunks))
          expect(parsed.map((r) => r.fields)).toEqual(records.map((r) => r.map((f) => f.value)))
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('CSV labels', () => {
  const keyColumns = new Set(['car', 'entity'])
  const labels = (text: string) => collect(csvLabels(parseCsv([text]), { keyColumns }))

  it('types columns by their first value: keys and quoted values stay strings, empty bare fields are null', async () => {
    const rows = await labels(
      [
        'timestamp,car,eta_s,ride,rush,note',
        '1763626500000,0042,412,"0017",true,',
        '2025-11-20T08:16:00.5+01:00,car-7,,r-2,FALSE,late',
      ].join('\n'),
    )
    expect(rows).toEqual<LabelRow[]>([
      { timestamp: 1763626500000, car: '0042', eta_s: 412, ride: '0017', rush: true, note: null },
      {
        timestamp: Date.UTC(2025, 10, 20, 7, 16, 0, 500),
        car: 'car-7',
        eta_s: null,
        ride: 'r-2',
        rush: false,
        note: 'late',
      },
    ])
  })

  it('refuses what the label table could not hold, with the line and column', async () => {
    const cases: [string, RegExp][] = [
      ['timestamp,car\n2025-11-20 08:15:00,c', /line 2: timestamp "2025-11-20 08:15:00" is not an integer/],
      ['timestamp,car,eta_s\n1,c,412\n2,c,soon', /line 3: column 'eta_s': "soon" is not a number/],
      ['timestamp,car\n1,c,extra', /line 2: has 3 fields, the header 2/],
      ['car,eta_s\nc,1', /needs a 'timestamp' column/],
      ['timestamp,car,car\n1,c,c', /names column 'car' twice/],
      ['', /empty: it needs a header row/],
    ]
    for (const [text, message] of cases) {
      const err = await thrown(() => labels(text))
      expect(isFreshetError(err) && err.code).toBe('CONFIG_INVALID')
      expect(err.message).toMatch(message)
    }
  })
})
