import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { compressSync as rawSnappy } from 'snappy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, testTopic } from '../testing.js'
import { type Compression, xerialSnappyDecode, xerialSnappyEncode } from './compression.js'
import { createKafka, type OutgoingRecord } from './kafka.js'

// Real broker: started by `npm test` (local Kafka from Maven jars, or testcontainers, or given endpoints).
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')
const CODECS: readonly Exclude<Compression, 'none'>[] = ['gzip', 'snappy', 'lz4', 'zstd']
// Enough for batches of ~100 KiB per partition: several xerial (32 KiB) and Java lz4 (64 KiB) blocks each.
const COUNT = 500

const run = promisify(execFile)
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** The Kafka client jars the local broker runs on, found where infra caches them. */
function kafkaLibs(): string {
  const cache = process.env.FRESHET_CACHE_DIR ?? join(homedir(), '.cache', 'freshet')
  const libs = join(cache, `kafka-${process.env.KAFKA_VERSION ?? '4.1.1'}`, 'libs')
  const hasClients = existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka-clients-'))
  if (!hasClients) {
    throw new Error(
      `Kafka client jars not found in ${libs}: the Java interoperability tests need them. ` +
        'Run `npm run infra -- up` once to cache them, or point FRESHET_CACHE_DIR at a cache that has them.',
    )
  }
  return libs
}

/** Runs a single-file Java fixture with Java 17's source launcher, failing with its stderr. */
async function java(libs: string, fixtureName: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('java', ['-cp', join(libs, '*'), fixture(fixtureName), ...args], {
      timeout: 90_000,
      maxBuffer: 256 * 1024 * 1024,
    })
    return stdout
  } catch (err) {
    const { code, stderr } = err as { code?: unknown; stderr?: string }
    if (code === 'ENOENT') throw new Error('java not found on PATH: the interoperability tests need Java 17+')
    throw new Error(`${fixtureName} ${args.join(' ')} failed: ${stderr ?? (err as Error).message}`)
  }
}

/** What JavaProducer.java writes as record i. */
function javaRecord(i: number) {
  const n = String(i)
  return { key: `key-${n}`, value: `${n}:${n.repeat(200)}`, headers: { seq: n, source: 'java' } }
}

/** What the kafkajs round trips write as record i: varied enough that every codec has real work to do. */
function nodeRecord(topic: string, i: number, codec: string): OutgoingRecord {
  return {
    topic,
    key: `car-${i % 37}`,
    value: Buffer.from(JSON.stringify({ i, codec, speedKmh: (i * 7.3) % 130, note: 'x'.repeat(i % 400) })),
    headers: { seq: String(i), codec },
  }
}

const bySeq = (a: { headers: Record<string, string> }, b: { headers: Record<string, string> }) =>
  Number(a.headers.seq) - Number(b.headers.seq)

describe('xerial snappy framing (what snappy-java writes for the Java producer)', () => {
  it('round-trips payloads that span zero, one and many 32 KiB blocks', () => {
    for (const size of [0, 1, 32 * 1024, 32 * 1024 + 1, 300_000]) {
      const data = randomBytes(size)
      const framed = xerialSnappyEncode(data)
      expect(framed.subarray(0, 8).toString('latin1')).toBe('\x82SNAPPY\x00')
      expect(xerialSnappyDecode(framed).equals(data)).toBe(true)
    }
  })

  it('decodes concatenated xerial streams, as snappy-java does', () => {
    const a = Buffer.from('a'.repeat(50_000))
    const b = Buffer.from('b'.repeat(70_000))
    const joined = Buffer.concat([xerialSnappyEncode(a), xerialSnappyEncode(b)])
    expect(xerialSnappyDecode(joined).equals(Buffer.concat([a, b]))).toBe(true)
  })

  it('decodes a bare snappy block, as older kafkajs-snappy producers wrote', () => {
    const data = Buffer.from('freshet '.repeat(1000))
    expect(xerialSnappyDecode(rawSnappy(data)).equals(data)).toBe(true)
  })

  it('rejects a stream whose block overruns the buffer', () => {
    const framed = xerialSnappyEncode(Buffer.from('z'.repeat(10_000)))
    expect(() => xerialSnappyDecode(framed.subarray(0, framed.length - 3))).toThrow(/overruns/)
  })
})

describe('compressed record batches against a real broker', () => {
  const kafka = createKafka({ brokers, clientId: 'compression-test' })
  const topics: string[] = []
  const newTopic = async (codec: string): Promise<string> => {
    const spec = testTopic(`compression-${codec}`, 3)
    await kafka.ensureTopics([spec])
    topics.push(spec.name)
    return spec.name
  }

  beforeAll(async () => {
    await kafka.probe({ timeoutMs: 10_000 })
  })
  afterAll(async () => {
    if (topics.length > 0) await kafka.deleteTopics(topics).catch(() => {})
    await kafka.close()
  })

  it.each(CODECS)('decodes %s batches written by the Java producer', async (codec) => {
    const libs = kafkaLibs()
    const topic = await newTopic(`java-${codec}`)
    const out = await java(libs, 'JavaProducer.java', [brokers.join(','), topic, codec, String(COUNT)])
    expect(out.trim()).toBe(`sent ${COUNT}`)

    const records = await collect(kafka, topic, COUNT)
    expect(records).toHaveLength(COUNT)
    const decoded = records
      .map((r) => ({ key: r.key?.toString(), value: r.value?.toString(), headers: r.headers }))
      .sort(bySeq)
    expect(decoded).toEqual(Array.from({ length: COUNT }, (_, i) => javaRecord(i)))
  })

  it.each(CODECS)('round-trips %s batches that kafkajs produces', async (codec) => {
    const topic = await newTopic(`node-${codec}`)
    const sent = Array.from({ length: COUNT }, (_, i) => nodeRecord(topic, i, codec))
    const producer = await kafka.producer({ compression: codec })
    try {
      await producer.send(sent)
    } finally {
      await producer.disconnect()
    }

    const records = (await collect(kafka, topic, COUNT)).sort(bySeq)
    expect(records).toHaveLength(COUNT)
    expect(records.map((r) => ({ key: r.key?.toString(), value: r.value, headers: r.headers }))).toEqual(
      sent.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    )
  })

  it('writes batches the Java consumer decodes, for every codec', async () => {
    const libs = kafkaLibs()
    const sent = new Map<string, OutgoingRecord[]>()
    for (const codec of CODECS) {
      const topic = await newTopic(`tojava-${codec}`)
      const records = Array.from({ length: COUNT }, (_, i) => nodeRecord(topic, i, codec))
      const producer = await kafka.producer({ compression: codec })
      try {
        await producer.send(records)
      } finally {
        await producer.disconnect()
      }
      sent.set(topic, records)
    }

    const out = await java(libs, 'JavaConsumer.java', [brokers.join(','), String(COUNT), ...sent.keys()])
    const read = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>()
    for (const line of out.split('\n').filter((l) => l !== '')) {
      const [topic = '', _partition, key = '', value = '', ...headers] = line.split('\t')
      const fromB64 = (s: string) => Buffer.from(s, 'base64')
      const list = read.get(topic) ?? []
      read.set(topic, list)
      list.push({
        key: fromB64(key).toString(),
        value: fromB64(value),
        headers: Object.fromEntries(
          headers.map((h) => {
            const eq = h.indexOf('=')
            return [h.slice(0, eq), fromB64(h.slice(eq + 1)).toString()]
          }),
        ),
      })
    }
    for (const [topic, records] of sent) {
      expect((read.get(topic) ?? []).sort(bySeq), topic).toEqual(
        records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      )
    }
  })

  it('refuses a compression it does not know', async () => {
    await expect(kafka.producer({ compression: 'brotli' as Compression })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    })
  })
})
