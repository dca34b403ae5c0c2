export type { AcquireOptions, ServicesMode, TestServices } from './services.js'
export { acquireServices } from './services.js'
