import { defineConfig } from 'vitest/config'

// One run over every package that has tests; each package's vitest.config.ts holds its own settings.
export default defineConfig({
  test: {
    projects: ['infra', 'pipelines', 'feature-store', 'sinks', 'serving', 'test'],
  },
})
