import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The API tests talk to a real Redis and load a real ONNX model.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
