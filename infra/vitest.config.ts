import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Real JVMs and redis-servers: a cold first run also resolves Kafka's jars with Maven.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
