import { ProblemError } from './problem.js'

/** One CSV record: its fields, whether each was quoted, and the line it starts on (1-based). */
export interface CsvRecord {
  fields: string[]
  quoted: boolean[]
  line: number
}

type State = 'start' | 'unquoted' | 'quoted' | 'closing'

/**
 * Streams the records of RFC 4180 CSV text split anywhere: comma-separated, LF or CRLF line ends, fields in
 * double quotes may hold commas, line breaks and `""`. A leading BOM and blank lines are skipped. Lenient where
 * spreadsheets are (a quote inside an unquoted field is kept as text, a bare CR outside quotes is dropped),
 * strict where data would be lost: text after a closing quote, or a quote never closed, is a 400.
 *
 * Whether a field was quoted is kept: ClickHouse, pandas and most writers quote text and leave numbers bare,
 * which is how {@link csvLabels} tells the string "0042" from the number 42.
 *
 * @example
 * for await (const r of parseCsv(['a,"b,c"\n1,', '2\n'])) console.log(r.fields) // ['a', 'b,c'], ['1', '2']
 */
export async function* parseCsv(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<CsvRecord> {
  let fields: string[] = []
  let quoted: boolean[] = []
  let field = ''
  let fieldQuoted = false
  let state: State = 'start'
  let line = 1
  let recordLine = 1
  let first = true

  const endField = () => {
    fields.push(field)
    quoted.push(fieldQuoted)
    field = ''
    fieldQuoted = false
    state = 'start'
  }
  const endRecord = (): CsvRecord | undefined => {
    endField()
    const record = { fields, quoted, line: recordLine }
    fields = []
    quoted = []
    recordLine = line
    // A blank line is one empty unquoted field: nothing to yield.
    return record.fields.length === 1 && record.fields[0] === '' && !record.quoted[0] ? undefined : record
  }

  for await (let piece of text) {
    if (first && piece.length > 0) {
      first = false
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1)
    }
    for (let i = 0; i < piece.length; i++) {
      const ch = piece[i]!
      if (state === 'quoted') {
        if (ch === '"') state = 'closing'
        else {
          if (ch === '\n') line++
          field += ch
        }
        continue
      }
      if (ch === '\r') continue
      if (ch === '\n') {
        line++
        const record = endRecord()
        if (record !== undefined) yield record
        continue
      }
      if (ch === ',') {
        endField()
        continue
      }
      switch (state) {
        case 'start':
          if (ch === '"') {
            state = 'quoted'
            fieldQuoted = true
          } else {
            field += ch
            state = 'unquoted'
          }
          break
        case 'unquoted':
          field += ch
          break
        case 'closing':
          if (ch !== '"') {
            throw new ProblemError(
              'invalid-request',
              `CSV line ${line}: unexpected ${JSON.stringify(ch)} after a closing quote (write a quote inside a quoted field as "")`,
            )
          }
          field += '"'
          state = 'quoted'
          break
      }
    }
  }
  if (state === 'quoted') {
    throw new ProblemError('invalid-request', `CSV line ${recordLine}: a quoted field is never closed`)
  }
  if (state !== 'start' || fields.length > 0) {
    const record = endRecord()
    if (record !== undefined) yield record
  }
}
