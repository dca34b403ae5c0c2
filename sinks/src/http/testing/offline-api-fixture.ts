import type { OfflineFeatureReader, TrainingRow } from '@freshet/feature-store'
import { pino } from 'pino'
import type { ClickHouseClientOptions } from '../../clickhouse/client.js'
import { createClickHouseOfflineReader } from '../../clickhouse/reader.js'
import { carSpeed, featureRecord, T0, zoneLoad } from '../../clickhouse/testing/fixtures.js'
import { openTestTarget, type TestTarget } from '../../clickhouse/testing/test-target.js'
import { createClickHouseOfflineWriter } from '../../clickhouse/writer.js'
import { createOfflineApi } from '../offline-api.js'
import type { Problem } from '../problem.js'

export const MIN = 60_000
export const KEY = 'test-key-0123456789abcdef'
export const ROTATED_KEY = 'second-key-for-rotation'
export const MEAN = 'car_speed:v1:speed_kmh_mean_5m'
export const ZONE = 'zone_load:v1:speed_kmh_sum_15m'
export const views = [carSpeed, zoneLoad]

// car-1 averages 30 over minutes 0-5 (known at 5) and 40 over 5-10 (known only at 11); zone z-1 sums 900.
const records = [
  featureRecord(carSpeed, {
    entity: 'car-1',
    window: '5m',
    end: T0 + 5 * MIN,
    processedAt: T0 + 5 * MIN,
    features: { speed_kmh_mean_5m: 30, speed_kmh_max_5m: 50 },
  }),
  featureRecord(carSpeed, {
    entity: 'car-1',
    window: '5m',
    end: T0 + 10 * MIN,
    processedAt: T0 + 11 * MIN,
    features: { speed_kmh_mean_5m: 40, speed_kmh_max_5m: 60 },
  }),
  featureRecord(zoneLoad, {
    entity: 'z-1',
    window: '15m',
    end: T0 + 15 * MIN,
    processedAt: T0 + 15 * MIN,
    sizeMs: 15 * MIN,
    features: { speed_kmh_sum_15m: 900 },
  }),
]

export const labels = [
  { timestamp: T0 + 4 * MIN, car: 'car-1', zone: 'z-1', eta_s: 300 },
  { timestamp: T0 + 10 * MIN, car: 'car-1', zone: 'z-1', eta_s: null },
  { timestamp: T0 + 16 * MIN, car: 'car-1', zone: 'z-1', eta_s: 412 },
]

/** What the point-in-time join must give: no value before minute 5, the minute-10 window only from minute 11. */
export const expected: TrainingRow[] = [
  { ...labels[0], [MEAN]: null, [ZONE]: null },
  { ...labels[1], [MEAN]: 30, [ZONE]: null },
  { ...labels[2], [MEAN]: 40, [ZONE]: 900 },
]

/** A test's view of the API over a real offline store seeded with the records above. */
export interface OfflineApiFixture {
  target: TestTarget
  options: ClickHouseClientOptions
  app: ReturnType<typeof createOfflineApi>
  /** Parsed log lines, and the raw ones (to check what never reaches a log). */
  logs: Record<string, unknown>[]
  logged: string[]
  /** POST /v1/training-set with a JSON body (a string is sent as is) and the key. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>
  /** POST /v1/training-set with a labels upload and the key as a bearer token. */
  upload(query: string, contentType: string, body: RequestInit['body']): Promise<Response>
  close(): Promise<void>
}

/**
 * Seeds an offline store in the suite's own target (a temp chDB dir, or databases on CLICKHOUSE_URL) and puts
 * the API over a reader of it, with `maxLabelBytes` 4096 so the 413 paths are cheap to reach.
 *
 * @example
 * const api = await openOfflineApiFixture('offline-api')
 * const res = await api.post({ labels, features: [MEAN], format: 'json' })
 */
export async function openOfflineApiFixture(suite: string): Promise<OfflineApiFixture> {
  const target = await openTestTarget(suite)
  const options = await target.options('api')
  const writer = await createClickHouseOfflineWriter({ ...options, views, maxDelayMs: 0 })
  let reader: OfflineFeatureReader | undefined
  try {
    await writer.write(records)
    reader = await createClickHouseOfflineReader({ ...options, views })
  } finally {
    await writer.close()
  }
  const logs: Record<string, unknown>[] = []
  const logged: string[] = []
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        logged.push(line)
        logs.push(JSON.parse(line) as Record<string, unknown>)
      },
    },
  )
  const app = createOfflineApi({ reader, views, apiKeys: [KEY, ROTATED_KEY], logger, maxLabelBytes: 4096 })
  return {
    target,
    options,
    app,
    logs,
    logged,
    post: async (body, headers = {}) =>
      await app.request('/v1/training-set', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    upload: async (query, contentType, body) =>
      await app.request(`/v1/training-set?${query}`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${KEY}` },
        body,
        duplex: 'half',
      } as RequestInit),
    async close() {
      await reader?.close()
      await target.cleanup()
    },
  }
}

/** The rows of a JSON Lines body. */
export function jsonLines(text: string): TrainingRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TrainingRow)
}

/** The problem document of a response, after checking it is one. */
export async function problemOf(res: Response): Promise<Problem & { requestId: string }> {
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(
      `expected application/problem+json, got ${res.headers.get('content-type')} (${res.status})`,
    )
  }
  return (await res.json()) as Problem & { requestId: string }
}
