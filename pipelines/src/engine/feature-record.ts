import { FEATURE_RECORD_SCHEMA, type FeatureRecord } from '@freshet/feature-store'

// The record contract lives in the feature store (the sinks and serving read it too); this file adds its Kafka form.
export type { FeatureRecord } from '@freshet/feature-store'
export { featureRecordId, featureRecordV1, featureTopicName } from '@freshet/feature-store'

/** The Kafka message of a feature record: keyed by entity, event time as timestamp, schema headers. */
export function featureRecordMessage(topic: string, record: FeatureRecord, processedAt: number) {
  return {
    topic,
    key: record.entity,
    value: Buffer.from(JSON.stringify({ ...record, processedAt })),
    headers: {
      'freshet-schema': FEATURE_RECORD_SCHEMA.name,
      'freshet-schema-version': String(FEATURE_RECORD_SCHEMA.version),
      'content-type': 'application/json',
    },
    timestamp: record.eventTime,
  }
}
