import type { LabelRow, LabelValue } from '@freshet/feature-store'
import type { CsvRecord } from './csv.js'
import { parseTimestamp, TIMESTAMP_EXPECTED } from './label-schema.js'
import { ProblemError } from './problem.js'

export interface CsvLabelOptions {
  /** Columns that hold entity ids (`car`, `zone`, `entity`): always strings, so `0042` stays `0042`. */
  keyColumns: ReadonlySet<string>
}

type Kind = 'timestamp' | 'key' | 'string' | 'number' | 'boolean'

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const BOOLEAN = /^(true|false)$/i
const INTEGER = /^-?\d+$/

/**
 * Turns CSV records (header first) into label rows. `timestamp` is epoch ms or an ISO 8601 date-time with a
 * zone; key columns stay strings; every other column takes the type of its first non-empty value (a quoted
 * value is a string, a bare one a number or boolean when it reads as one), and later values must fit it, since
 * the label table has one type per column. An empty bare field is null.
 *
 * @example
 * csvLabels(parseCsv(text), { keyColumns: new Set(['car', 'entity']) })
 * // 'timestamp,car,eta_s\n1763626500000,car-7,412' → { timestamp: 1763626500000, car: 'car-7', eta_s: 412 }
 */
export async function* csvLabels(
  records: AsyncIterable<CsvRecord>,
  options: CsvLabelOptions,
): AsyncGenerator<LabelRow> {
  let names: string[] | undefined
  let kinds: (Kind | undefined)[] = []
  for await (const record of records) {
    if (names === undefined) {
      names = header(record)
      kinds = names.map((n) =>
        n === 'timestamp' ? 'timestamp' : options.keyColumns.has(n) ? 'key' : undefined,
      )
      continue
    }
    if (record.fields.length !== names.length) {
      throw invalid(record, `has ${record.fields.length} fields, the header ${names.length}`)
    }
    const row: Record<string, LabelValue> = {}
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      const raw = record.fields[i]!
      const quoted = record.quoted[i]!
      if (kinds[i] === 'key') {
        row[name] = raw === '' && !quoted ? null : raw
        continue
      }
      if (kinds[i] === 'timestamp') {
        const ms = INTEGER.test(raw) ? Number(raw) : parseTimestamp(raw)
        if (ms === undefined || !Number.isSafeInteger(ms)) {
          throw invalid(record, `timestamp ${JSON.stringify(raw)} is not ${TIMESTAMP_EXPECTED}`)
        }
        row[name] = ms
        continue
      }
      if (raw === '' && !quoted) {
        row[name] = null
        continue
      }
      kinds[i] ??= quoted ? 'string' : BOOLEAN.test(raw) ? 'boolean' : NUMBER.test(raw) ? 'number' : 'string'
      row[name] = convert(kinds[i]!, raw, () =>
        invalid(
          record,
          `column '${name}': ${JSON.stringify(raw)} is not a ${kinds[i]} like its earlier values`,
        ),
      )
    }
    yield row as LabelRow
  }
  if (names === undefined)
    throw new ProblemError('invalid-request', 'labels CSV is empty: it needs a header row')
}

function header(record: CsvRecord): string[] {
  const names = record.fields
  const seen = new Set<string>()
  for (const name of names) {
    if (name === '') throw invalid(record, 'the header has an empty column name')
    if (seen.has(name)) throw invalid(record, `the header names column '${name}' twice`)
    seen.add(name)
  }
  if (!seen.has('timestamp')) {
    throw invalid(record, `the header needs a 'timestamp' column, got ${names.join(', ')}`)
  }
  return names
}

function convert(kind: Kind, raw: string, fail: () => ProblemError): LabelValue {
  switch (kind) {
    case 'number':
      if (!NUMBER.test(raw) || !Number.isFinite(Number(raw))) throw fail()
      return Number(raw)
    case 'boolean':
      if (!BOOLEAN.test(raw)) throw fail()
      return raw.toLowerCase() === 'true'
    default:
      return raw
  }
}

function invalid(record: CsvRecord, why: string): ProblemError {
  return new ProblemError('invalid-request', `labels CSV line ${record.line}: ${why}`)
}
