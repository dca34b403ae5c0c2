/** The backbone factory: one kafkajs client per process, a lazily connected shared admin, the ports over them. */

import type { Admin } from 'kafkajs'
import {
  committedOffsets,
  deleteTopics,
  endOffsets,
  ensureTopics,
  offsetsForTimestamp,
  probeCluster,
} from './admin.js'
import { registerCodecs } from './codecs.js'
import { openConsumer } from './consumer.js'
import { wrap } from './errors.js'
import { Kafka, logLevel } from './kafkajs-interop.js'
import { forwardLog } from './logging.js'
import type { KafkaBackbone, KafkaOptions } from './ports.js'
import { openProducer, openTransactionalProducer } from './producer.js'
import { openRangeReader } from './range-reader.js'

/**
 * Creates the Kafka backbone for one process.
 *
 * @example
 * const kafka = createKafka({ brokers: ['127.0.0.1:19092'] })
 * await kafka.ensureTopics(topicCatalog)
 * const producer = await kafka.producer()
 * await producer.send([{ topic: 'car.telemetry.v1', ...encodeEvent(carTelemetrySchema, sample) }])
 */
export function createKafka(options: KafkaOptions): KafkaBackbone {
  registerCodecs()
  const kafka = new Kafka({
    clientId: options.clientId ?? 'freshet',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => forwardLog(options.logger, entry),
  })
  // The connecting promise is shared, so concurrent first calls open one admin, not one each; a failed connect is
  // forgotten, so the next call tries again.
  let admin: Promise<Admin> | undefined
  const getAdmin = (): Promise<Admin> => {
    admin ??= (async () => {
      const a = kafka.admin()
      await wrap('connect admin', () => a.connect())
      return a
    })().catch((err: unknown) => {
      admin = undefined
      throw err
    })
    return admin
  }

  return {
    probe: (probeOptions) => probeCluster(options, probeOptions),
    ensureTopics: async (specs) => ensureTopics(await getAdmin(), specs),
    deleteTopics: async (names) => deleteTopics(await getAdmin(), names),
    endOffsets: async (topic) => endOffsets(await getAdmin(), topic),
    committedOffsets: async (groupId, topic) => committedOffsets(await getAdmin(), groupId, topic),
    producer: (producerOptions) => openProducer(kafka, producerOptions),
    transactionalProducer: (transactionalId) => openTransactionalProducer(kafka, transactionalId),
    consume: (consumeOptions) => openConsumer(kafka, consumeOptions),
    offsetsForTimestamp: async (topic, timestamp) => offsetsForTimestamp(await getAdmin(), topic, timestamp),
    readRanges: (readOptions) => openRangeReader(kafka, readOptions),

    async close() {
      const connecting = admin
      admin = undefined
      const a = await connecting?.catch(() => undefined)
      await a?.disconnect()
    },
  }
}
