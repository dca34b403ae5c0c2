import { featureRecordMessage } from '../src/engine/feature-record.js'
import type { ConsumedRecord, OutgoingRecord, TransactionalProducer } from '../src/index.js'
import { type BareRunOptions, runTimedConsumer } from './bare-consumer.js'
import type { RunResult } from './measure.js'

/**
 * One output message per this many input events: the engine's rate on the bench corpus (the processor harness
 * publishes 27,146 messages for 300,000 events of 1,000 cars: feature records, repartition partials and
 * watermarks), rounded in the floor's favour.
 */
export const FLOOR_EVENTS_PER_OUTPUT = 11

export interface FloorRunOptions extends BareRunOptions {
  /** Where the floor publishes (created and dropped by the caller); six partitions like the feature topics. */
  outputTopic: string
}

/**
 * The floor: the least an exactly-once consume-process-publish over kafkajs does, with none of the engine. The
 * bare consumer (decode and validate every record) with the engine's partition concurrency, which per batch
 * publishes one feature-record-shaped message (serialised per message, with the engine's headers) per
 * {@link FLOOR_EVENTS_PER_OUTPUT} events in a Kafka transaction with the batch's offsets (`sendOffsets`), one
 * transactional producer per partition. No state, no windows, no checkpoints. What it reaches divided by the
 * bare consumer bounds the engine's ratio on this client.
 *
 * @example
 * const r = await runFloorConsumer({ kafka, topic, events: 1_000_000, maxBytesPerPartition: 4 << 20, outputTopic })
 */
export async function runFloorConsumer(options: FloorRunOptions): Promise<RunResult> {
  const { kafka, topic } = options
  const producers = new Map<number, Promise<TransactionalProducer>>()
  const producerOf = (groupId: string, partition: number) => {
    let p = producers.get(partition)
    if (p === undefined) {
      p = kafka.transactionalProducer(`${groupId}.${partition}`)
      producers.set(partition, p)
    }
    return p
  }
  const message = (record: ConsumedRecord, at: number): OutgoingRecord => {
    const entity = record.key?.toString() ?? ''
    const end = Math.floor(record.timestamp / 60_000) * 60_000
    return featureRecordMessage(
      options.outputTopic,
      {
        id: `car_motion:v1:${entity}:5m:${end - 300_000}:${end}`,
        view: 'car_motion',
        version: 1,
        entity,
        window: '5m',
        windowStart: end - 300_000,
        windowEnd: end,
        eventTime: record.timestamp,
        watermark: record.timestamp,
        final: true,
        features: { speed_kmh_mean_5m: 31.25, speed_kmh_max_5m: 58.5, speed_kmh_stddev_5m: 7.125 },
      },
      at,
    )
  }
  try {
    return await runTimedConsumer(
      options,
      { groupPrefix: 'bench-floor', partitionsConsumedConcurrently: 16 },
      async (records, groupId) => {
        const at = Date.now()
        const messages: OutgoingRecord[] = []
        for (let i = 0; i < records.length; i += FLOOR_EVENTS_PER_OUTPUT)
          messages.push(message(records[i]!, at))
        const last = records[records.length - 1]!
        const producer = await producerOf(groupId, last.partition)
        await producer.transaction(async (tx) => {
          await tx.send(messages)
          await tx.sendOffsets(groupId, [
            { topic, partition: last.partition, offset: String(BigInt(last.offset) + 1n) },
          ])
        })
      },
    )
  } finally {
    await Promise.allSettled([...producers.values()].map(async (p) => (await p).disconnect()))
  }
}
