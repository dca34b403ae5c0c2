import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Integration tests talk to real brokers and stores: allow for a cold JVM and a consumer group join.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
