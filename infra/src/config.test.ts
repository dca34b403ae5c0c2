import { homedir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({})
    expect(config).toEqual({
      dataDir: join(import.meta.dirname, '..', '..', '.freshet'),
      cacheDir: join(homedir(), '.cache', 'freshet'),
      kafka: { version: '4.1.1', port: 19092, controllerPort: 19093 },
      redis: { port: 16379 },
      logLevel: 'info',
    })
  })

  it('reads overrides and treats empty variables as unset', () => {
    const config = loadConfig({ KAFKA_PORT: '29092', REDIS_PORT: '', FRESHET_DATA_DIR: '/tmp/freshet-x' })
    expect(config.kafka.port).toBe(29092)
    expect(config.redis.port).toBe(16379)
    expect(config.dataDir).toBe('/tmp/freshet-x')
  })

  it('rejects a bad port and clashing ports with CONFIG_INVALID naming the variable', () => {
    expect(() => loadConfig({ KAFKA_PORT: 'abc' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => loadConfig({ KAFKA_PORT: 'abc' })).toThrow(/KAFKA_PORT/)
    expect(() => loadConfig({ REDIS_PORT: '19092' })).toThrow(/must all differ/)
  })
})
