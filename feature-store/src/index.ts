export type { ErrorCode, FreshetErrorOptions } from './errors.js'
export { ERROR_CODES, FreshetError, isFreshetError } from './errors.js'
