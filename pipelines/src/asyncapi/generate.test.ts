import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { DiagnosticSeverity, Parser } from '@asyncapi/parser'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import {
  type AlertRecord,
  alertRecordMessage,
  alertRecordSchema,
  alertRecordV1,
} from '../cep/alert-record.js'
import type { CarTelemetry } from '../events/car-telemetry.js'
import { encodeEvent } from '../events/codec.js'
import { carTelemetrySchema, type EventSchema, rideEventSchema } from '../events/event-schema.js'
import type { RideEvent } from '../events/ride-event.js'
import { TOPICS, topicCatalog } from '../topics/catalog.js'
import { type AsyncApiDocument, buildAsyncApiDocument, type JsonSchema, renderAsyncApi } from './generate.js'

const COMMITTED = fileURLToPath(new URL('../../../docs/asyncapi.yaml', import.meta.url))

const telemetry: CarTelemetry = {
  carId: 'car-0001',
  ts: 1_764_000_000_000,
  position: { lat: 52.52, lon: 13.4 },
  zoneId: 'z-downtown',
  speedKmh: 31.5,
  headingDeg: 92,
  batteryPct: 78.2,
  status: 'on_trip',
  odometerKm: 10432.7,
}

const rides: RideEvent[] = [
  {
    type: 'ride_requested',
    rideId: 'ride-000001',
    ts: 1_764_000_000_000,
    riderId: 'rider-7',
    pickup: { lat: 52.5, lon: 13.4 },
    dropoff: { lat: 52.53, lon: 13.38 },
    pickupZone: 'z-downtown',
    dropoffZone: 'z-docks',
  },
  {
    type: 'ride_cancelled',
    rideId: 'ride-000002',
    ts: 1_764_000_060_000,
    pickupZone: 'z-docks',
    reason: 'no_car_available',
  },
  {
    type: 'ride_completed',
    rideId: 'ride-000001',
    ts: 1_764_000_900_000,
    carId: 'car-0003',
    requestedAt: 1_764_000_000_000,
    pickedUpAt: 1_764_000_240_000,
    pickup: { lat: 52.5, lon: 13.4 },
    dropoff: { lat: 52.53, lon: 13.38 },
    pickupZone: 'z-downtown',
    dropoffZone: 'z-docks',
    distanceKm: 4.2,
    actualDurationS: 660,
  },
]

const alerts: AlertRecord[] = [
  {
    id: 'car_telemetry_gap:v1:car-0001:1764000000000:fired',
    pattern: 'car_telemetry_gap',
    version: 1,
    entity: 'car',
    key: 'car-0001',
    kind: 'fired',
    lastSeenAt: 1_764_000_000_000,
    eventTime: 1_764_000_030_000,
    watermark: 1_764_000_030_412,
    context: { status: 'on_trip', zoneId: 'z-downtown', position: { lat: 52.52, lon: 13.4 }, speedKmh: 31.5 },
  },
  {
    id: 'car_telemetry_gap:v1:car-0001:1764000000000:resolved',
    pattern: 'car_telemetry_gap',
    version: 1,
    entity: 'car',
    key: 'car-0001',
    kind: 'resolved',
    lastSeenAt: 1_764_000_000_000,
    eventTime: 1_764_000_074_000,
    gapMs: 74_000,
    watermark: 1_764_000_074_000,
    context: { status: 'idle', zoneId: 'z-docks', position: { lat: 52.53, lon: 13.38 }, speedKmh: 0 },
  },
]

function messageOf(doc: AsyncApiDocument, schema: EventSchema) {
  const message = doc.components.messages[`${schema.name}.v${schema.version}`]
  if (!message) throw new Error(`no message for ${schema.name}`)
  return message
}

/** Draft-07 validator in strict mode, so a keyword AsyncAPI tools would not understand fails the test. */
function validator(schema: JsonSchema) {
  return new Ajv({ strict: true, allErrors: true }).compile(schema)
}

describe('buildAsyncApiDocument', () => {
  const doc = buildAsyncApiDocument()

  it('produces a document the official AsyncAPI parser accepts without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(renderAsyncApi(doc))
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([])
    expect(document?.version()).toBe('3.0.0')
  }, 30_000)

  it('documents every catalog topic as a channel with its Kafka settings', () => {
    for (const topic of topicCatalog) {
      const channel = doc.channels[topic.name]
      expect(channel?.address).toBe(topic.name)
      expect(channel?.bindings.kafka).toMatchObject({
        partitions: topic.partitions,
        topicConfiguration: { 'retention.ms': topic.retentionMs, 'cleanup.policy': ['delete'] },
      })
    }
    expect(Object.keys(doc.channels)).toHaveLength(topicCatalog.length)
  })

  it('has send operations for the simulator, the dead-letter producer and the alert producer', () => {
    const sent = Object.values(doc.operations).map((op) => [op.action, op.channel.$ref])
    expect(sent).toEqual([
      ['send', `#/channels/${TOPICS.telemetry.name}`],
      ['send', `#/channels/${TOPICS.rides.name}`],
      ['send', `#/channels/${TOPICS.deadLetter.name}`],
      ['send', `#/channels/${TOPICS.alerts.name}`],
    ])
  })

  it('describes alerts with the alert_record schema and the headers the engine sends', () => {
    expect(doc.channels[TOPICS.alerts.name]?.messages).toEqual({
      'alert_record.v1': { $ref: '#/components/messages/alert_record.v1' },
    })
    const message = messageOf(doc, alertRecordSchema)
    const payload = validator(message.payload)
    for (const alert of alerts) {
      const sent = alertRecordMessage(TOPICS.alerts.name, alert, 1_764_000_031_000)
      const value = JSON.parse(sent.value.toString()) as unknown
      expect(payload(value), JSON.stringify(payload.errors)).toBe(true)
      expect(validator(message.headers)(sent.headers)).toBe(true)
    }
    const bad = [
      { ...alerts[0], gapMs: 5000 }, // a fired alert has no gap yet
      { ...alerts[1], gapMs: undefined },
      { ...alerts[0], kind: 'expired' },
      { ...alerts[0], context: { position: { lat: { deeper: 1 } } } },
    ]
    for (const alert of bad) {
      expect(alertRecordV1.safeParse(alert).success).toBe(false)
      expect(payload(JSON.parse(JSON.stringify(alert)))).toBe(false)
    }
  })

  it('accepts real events and their headers with the message schemas, as zod does', () => {
    const telemetryMessage = messageOf(doc, carTelemetrySchema)
    const payload = validator(telemetryMessage.payload)
    expect(payload(telemetry), JSON.stringify(payload.errors)).toBe(true)
    const headers = validator(telemetryMessage.headers)
    expect(headers(encodeEvent(carTelemetrySchema, telemetry).headers)).toBe(true)

    const ridePayload = validator(messageOf(doc, rideEventSchema).payload)
    for (const ride of rides) expect(ridePayload(ride), JSON.stringify(ridePayload.errors)).toBe(true)
  })

  it('rejects the events zod rejects', () => {
    const payload = validator(messageOf(doc, carTelemetrySchema).payload)
    const bad = [
      { ...telemetry, speedKmh: -1 },
      { ...telemetry, ts: 1_764_000_000 }, // seconds, not ms
      { ...telemetry, carId: 'truck-1' },
      { ...telemetry, extra: true },
    ]
    for (const event of bad) {
      expect(carTelemetrySchema.schema.safeParse(event).success).toBe(false)
      expect(payload(event)).toBe(false)
    }
    const ridePayload = validator(messageOf(doc, rideEventSchema).payload)
    expect(ridePayload({ ...rides[0], type: 'ride_teleported' })).toBe(false)
  })

  it('describes dead letters as original bytes with the freshet-dlq-* headers', () => {
    const message = doc.components.messages.dead_letter
    expect(message?.payload).toMatchObject({ type: 'string', format: 'binary' })
    expect(message?.headers.required).toEqual([
      'freshet-dlq-reason',
      'freshet-dlq-error-code',
      'freshet-dlq-source-topic',
      'freshet-dlq-source-partition',
      'freshet-dlq-source-offset',
    ])
    expect(doc.channels[TOPICS.deadLetter.name]?.messages).toEqual({
      dead_letter: { $ref: '#/components/messages/dead_letter' },
    })
  })

  it('refuses a schema whose JSON Schema would need $ref', () => {
    interface Tree {
      children: Tree[]
    }
    const tree: z.ZodType<Tree> = z.object({ children: z.array(z.lazy(() => tree)) })
    const treeSchema: EventSchema<Tree> = {
      name: 'tree',
      version: 1,
      description: 'recursive',
      schema: tree,
      key: () => 'k',
      eventTime: () => 0,
    }
    const catalog = [{ ...TOPICS.telemetry, valueSchema: treeSchema as EventSchema }]
    expect(() => buildAsyncApiDocument(catalog)).toThrow(/\$ref/)
  })

  it('matches the committed docs/asyncapi.yaml (run `npm run asyncapi` after changing topics or schemas)', async () => {
    const committed = await readFile(COMMITTED, 'utf8')
    expect(committed).toBe(renderAsyncApi(doc))
    // The committed artifact itself carries the same schemas as the code.
    const fromFile = parseYaml(committed) as AsyncApiDocument
    expect(validator(messageOf(fromFile, carTelemetrySchema).payload)(telemetry)).toBe(true)
  })
})
