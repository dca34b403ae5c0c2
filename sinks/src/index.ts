export * from './clickhouse/index.js'
export * from './redis/index.js'
