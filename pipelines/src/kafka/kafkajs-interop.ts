/** kafkajs' runtime values, for the other files of this folder (the only kafkajs importers). */

import kafkajs from 'kafkajs'

// kafkajs is CommonJS and Node's named-export detection misses some of its exports: take them off the default.
export const { AssignerProtocol, CompressionCodecs, CompressionTypes, Kafka, logLevel, Partitioners } =
  kafkajs
export type CompressionTypes = kafkajs.CompressionTypes
