import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parseDuration } from '@freshet/feature-store'
import { z } from 'zod'
import { type InfraConfig, loadConfig } from '../config.js'

const schema = z.object({
  durationMs: z.number().int().positive(),
  cars: z.number().int().min(1).max(5000),
  ridesPerCarHour: z.number().positive(),
  seed: z.number().int(),
  keep: z.boolean(),
  kafkaBrokers: z.array(z.string().min(1)).optional(),
  /** Used with KAFKA_BROKERS (services not started here). */
  redisUrl: z.string().min(1),
  /** The demo's own state (its chDB data dir, the exported training set). */
  dataDir: z.string().min(1),
})

export type DemoConfig = z.infer<typeof schema> & {
  /** The infra settings (ports, data and jar directories) the demo starts local services with. */
  infra: InfraConfig
}

/** Parsed once at start: flags first, then the environment (KAFKA_BROKERS points the demo at running brokers). */
export function loadDemoConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const infra = loadConfig(env)
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string', default: '2m' },
      // Enough cars, and demand they can serve, that rides complete during the live minutes: the ETA stage
      // compares its predictions with them (with 40 cars at 20 rides/h most requests were cancelled).
      cars: { type: 'string', default: '100' },
      'rides-per-car-hour': { type: 'string', default: '4' },
      seed: { type: 'string', default: '7' },
      keep: { type: 'boolean', default: false },
    },
  })
  const parsed = schema.safeParse({
    durationMs: parseDuration(values.duration, '--duration'),
    cars: Number(values.cars),
    ridesPerCarHour: Number(values['rides-per-car-hour']),
    seed: Number(values.seed),
    keep: values.keep,
    kafkaBrokers: env.KAFKA_BROKERS ? env.KAFKA_BROKERS.split(',') : undefined,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:16379',
    dataDir: join(infra.dataDir, 'demo'),
  })
  if (!parsed.success) throw new Error(`invalid demo options: ${z.prettifyError(parsed.error)}`)
  return { ...parsed.data, infra }
}
