import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Adapter tests talk to a real Redis and ClickHouse (embedded chDB by default).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
