export type { AsyncApiDocument, AsyncApiOptions, ProducerSpec } from './asyncapi/generate.js'
export { buildAsyncApiDocument, renderAsyncApi } from './asyncapi/generate.js'
export * from './backfill/index.js'
export * from './cep/index.js'
export { joinNegativeValues } from './cli/negative-values.js'
export type { DecodedInput, DriverInput, RawInput } from './driver/driver-input.js'
export { fromSimulation } from './driver/driver-input.js'
export type { JsonlEvents } from './driver/jsonl-events.js'
export { eventFileLines, readJsonlEvents } from './driver/jsonl-events.js'
export { murmur2, partitionForKey, toPositive } from './driver/murmur2.js'
export type {
  DriverDeadLetter,
  DriverLateEvent,
  SplitWindow,
  TestDriverOptions,
  TestDriverResult,
} from './driver/test-driver.js'
export { runTestDriver } from './driver/test-driver.js'
export type { DeadLetter, LateEvent } from './engine/dead-letter.js'
export { DLQ_HEADERS, LATE_HEADERS } from './engine/dead-letter.js'
export type { FeatureRecord } from './engine/feature-record.js'
export { featureRecordId, featureRecordV1, featureTopicName } from './engine/feature-record.js'
export { MergeProcessor } from './engine/merge-processor.js'
export type { EngineMetrics } from './engine/metrics.js'
export { createEngineMetrics } from './engine/metrics.js'
export type { PartitionProcessorOptions, ProcessorOutput } from './engine/partition-processor.js'
export { PartitionProcessor } from './engine/partition-processor.js'
export { repartitionTopicName } from './engine/repartition.js'
export type { FeatureEngine, FeatureEngineOptions } from './engine/runtime.js'
export { startFeatureEngine } from './engine/runtime.js'
export { ViewMerger } from './engine/view-merger.js'
export { ViewProcessor } from './engine/view-processor.js'
export type { WindowPartial } from './engine/window-partial.js'
export type { CarStatus, CarTelemetry } from './events/car-telemetry.js'
export { CAR_STATUSES, carTelemetryV1 } from './events/car-telemetry.js'
export type { DecodeResult, EncodedEvent, RawMessage } from './events/codec.js'
export {
  decodeEvent,
  encodeEvent,
  HEADER_CONTENT_TYPE,
  HEADER_SCHEMA,
  HEADER_SCHEMA_VERSION,
} from './events/codec.js'
export type { EventSchema } from './events/event-schema.js'
export { carTelemetrySchema, eventSchemas, rideEventSchema, schemaRef } from './events/event-schema.js'
export type { GeoPoint } from './events/geo.js'
export { geoPoint } from './events/geo.js'
export type { RideCompleted, RideEvent, RideEventType } from './events/ride-event.js'
export { rideEventV1 } from './events/ride-event.js'
export {
  carBattery,
  carDistance,
  carLocation,
  carMotion,
  carStatus,
  carTelemetryGap,
  featureViews,
  liveFeatureViews,
  livePatterns,
  zoneDemand,
  zoneTraffic,
} from './features/index.js'
export type {
  ClusterInfo,
  Compression,
  ConsumedRecord,
  ConsumeOptions,
  KafkaBackbone,
  KafkaOptions,
  OffsetRange,
  OutgoingRecord,
  RangeReader,
  ReadRangesOptions,
  RecordConsumer,
  RecordProducer,
  TransactionalProducer,
  TransactionContext,
} from './kafka/kafka.js'
export { createKafka } from './kafka/kafka.js'
export { serveMetrics } from './observability/metrics-server.js'
export type { CityZone, ZoneKind } from './simulator/city.js'
export { ARTERIAL_ROADS, CITY_CENTRE, CITY_ZONES } from './simulator/city.js'
export type { CityTime } from './simulator/city-clock.js'
export { cityTime } from './simulator/city-clock.js'
export type { CongestionProfile } from './simulator/congestion.js'
export { congestionFactor } from './simulator/congestion.js'
export type { SimulatorOptions } from './simulator/options.js'
export type {
  RunSimulatorOptions,
  SimulatorProgress,
  SimulatorSummary,
} from './simulator/run-simulator.js'
export { runSimulator } from './simulator/run-simulator.js'
export type { SimEvent, SimulationStats } from './simulator/simulation.js'
export { Simulation, simulate } from './simulator/simulation.js'
export type { TopicSpec } from './topics/catalog.js'
export { featureTopicSpec, TOPICS, topicCatalog } from './topics/catalog.js'
