// The ClickHouse offline store: one client factory (server or embedded chDB), versioned DDL, a batching
// idempotent writer and point-in-time reads for training sets.
export {
  CHDB_OWNER_FILE,
  type ClickHouseClientOptions,
  type ClickHouseTarget,
  createClickHouseClient,
  describeClickHouse,
} from './client.js'
export {
  type FeatureTable,
  featureTable,
  type OfflineViewDefinition,
} from './feature-table.js'
export {
  MIGRATIONS_TABLE,
  type Migration,
  type MigrationReport,
  offlineStoreMigrations,
  runMigrations,
} from './migrations.js'
export { type ClickHouseOfflineReaderOptions, createClickHouseOfflineReader } from './reader.js'
export {
  type ClickHouseOfflineWriter,
  type ClickHouseOfflineWriterOptions,
  createClickHouseOfflineWriter,
} from './writer.js'
