/**
 * The Kafka backbone's entry point. The files of this folder (`pipelines/src/kafka/`) are together the only module
 * in Freshet that imports kafkajs; everything else imports from here and sees only the small interfaces of
 * `ports.ts`, so the client (unmaintained since 2023) can be swapped without touching pipelines, sinks or tests.
 * Inside: `backbone.ts` (createKafka), `admin.ts` (probe, topics, offsets), `producer.ts`, `consumer.ts`,
 * `range-reader.ts` (backfills and replays), `codecs.ts` + `compression.ts` (record-batch compression), and small
 * glue (`kafkajs-interop.ts`, `consumed-record.ts`, `errors.ts`, `logging.ts`).
 */

export { createKafka } from './backbone.js'
export type { Compression } from './compression.js'
export type {
  ClusterInfo,
  CommittedOffset,
  ConsumedRecord,
  ConsumeOptions,
  KafkaBackbone,
  KafkaOptions,
  OffsetRange,
  OutgoingRecord,
  ProducerOptions,
  RangeReader,
  ReadRangesOptions,
  RecordConsumer,
  RecordProducer,
  TransactionalProducer,
  TransactionContext,
} from './ports.js'
