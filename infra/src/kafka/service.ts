import type { ClusterInfo } from '@freshet/pipelines'
import type { ManagedService } from '../support/managed-service.js'
import { kafkaBootstrap, type ResolvedKafkaOptions } from './options.js'
import { probeKafka } from './probe.js'
import { renderServerProperties } from './server-properties.js'

/** Per-attempt probe timeout while polling; short so a dead port is retried quickly. */
const PROBE_TIMEOUT_MS = 2_000

/** The facts the shared start/stop/status code needs about our Kafka node. */
export function kafkaService(o: ResolvedKafkaOptions): ManagedService<ClusterInfo> {
  return {
    service: 'kafka',
    cwd: o.paths.home,
    pidFile: o.paths.pidFile,
    logFile: o.paths.logFile,
    config: { path: o.paths.serverProperties, content: renderServerProperties(o) },
    // The config path tells our broker apart from any other Kafka on the machine.
    markers: ['kafka.Kafka', o.paths.serverProperties],
    host: o.host,
    ports: { broker: o.port, controller: o.controllerPort },
    probe: () => probeKafka([kafkaBootstrap(o)], PROBE_TIMEOUT_MS),
    readyTimeoutMs: o.readyTimeoutMs,
    stopTimeoutMs: o.stopTimeoutMs,
    logger: o.logger,
  }
}
