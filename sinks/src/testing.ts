/**
 * Helpers for suites that run the sink's stores for real (`@freshet/sinks/testing`); not part of the runtime API.
 * One place, so every suite gets its own ClickHouse data the same way, embedded or on a server.
 */
export { openTestTarget, type TestTarget } from './clickhouse/testing/test-target.js'
