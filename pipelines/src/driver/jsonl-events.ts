import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Writable } from 'node:stream'
import { type AnyFeatureView, FreshetError } from '@freshet/feature-store'
import { HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from '../events/codec.js'
import { type EventSchema, eventSchemas, schemaRef } from '../events/event-schema.js'
import type { SimEvent } from '../simulator/simulation.js'
import type { DriverInput } from './driver-input.js'

/**
 * The events file format of the test driver: one bare event object per line (a `car_telemetry` or
 * `ride_event` value, no envelope), in production order. Blank lines are skipped.
 */
export interface JsonlEvents {
  inputs: DriverInput[]
  /** 1-based line number of each input. */
  lines: number[]
  /** Lines holding a valid event of a schema no view reads (ride events in a telemetry run). */
  otherSchema: number[]
}

/**
 * Reads an events file for `views`. A line valid for a schema a view reads becomes that event; a line
 * valid for another known schema is skipped (so one simulator file serves every view); anything else
 * (not JSON, fails every schema) is sent as it is under the first view's source schema, so the engine
 * dead-letters it with its reason, exactly as it would a bad message from a producer.
 *
 * @example
 * const { inputs, lines } = await readJsonlEvents('events.jsonl', [carMotion])
 * const result = runTestDriver({ views: [carMotion], events: inputs })
 */
export async function readJsonlEvents(
  path: string,
  views: readonly AnyFeatureView[],
  schemas: ReadonlyMap<string, EventSchema> = eventSchemas,
): Promise<JsonlEvents> {
  const reader = new EventLineReader(views, schemas)
  const out: JsonlEvents = { inputs: [], lines: [], otherSchema: [] }
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY })
  let n = 0
  for await (const line of rl) {
    n++
    if (line.trim() === '') continue
    const input = reader.read(line)
    if (input === 'other-schema') out.otherSchema.push(n)
    else {
      out.inputs.push(input)
      out.lines.push(n)
    }
  }
  return out
}

/** Classifies event lines for a set of views (see `readJsonlEvents`). */
export class EventLineReader {
  /** Schemas the views read, with the topic each is read from; the first is the fallback. */
  private readonly wanted: { schema: EventSchema; topic: string }[] = []
  private readonly others: EventSchema[]

  constructor(views: readonly AnyFeatureView[], schemas: ReadonlyMap<string, EventSchema> = eventSchemas) {
    for (const view of views) {
      const ref = schemaRef(view.source.schema.name, view.source.schema.version)
      const schema = schemas.get(ref)
      if (schema === undefined) {
        throw new FreshetError('CONFIG_INVALID', `view ${view.ref} reads ${ref}, which is not a known schema`)
      }
      if (!this.wanted.some((w) => w.schema === schema))
        this.wanted.push({ schema, topic: view.source.topic })
    }
    this.others = [...schemas.values()].filter((s) => !this.wanted.some((w) => w.schema === s))
  }

  read(line: string): DriverInput | 'other-schema' {
    const fallback = this.wanted[0]
    if (fallback === undefined) return 'other-schema'
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      return {
        topic: fallback.topic,
        key: null,
        value: line,
        headers: {
          [HEADER_SCHEMA]: fallback.schema.name,
          [HEADER_SCHEMA_VERSION]: String(fallback.schema.version),
          [HEADER_CONTENT_TYPE]: 'application/json',
        },
      }
    }
    const match = this.wanted.find((w) => w.schema.schema.safeParse(json).success)
    if (match) return { schema: match.schema, event: json, topic: match.topic }
    if (this.others.some((s) => s.schema.safeParse(json).success)) return 'other-schema'
    return { schema: fallback.schema, event: json, topic: fallback.topic }
  }
}

/**
 * Writes lines with backpressure (a week of telemetry is tens of millions of lines).
 *
 * @example
 * await writeLines(process.stdout, records.map((r) => JSON.stringify(r)))
 */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
}

/**
 * Simulator output as lines of an events file.
 *
 * @example
 * await writeLines(file, eventFileLines(simulate({ seed: 1, cars: 10, startMs, durationMs })))
 */
export function* eventFileLines(events: Iterable<SimEvent>): Generator<string> {
  for (const e of events) yield JSON.stringify(e.event)
}
