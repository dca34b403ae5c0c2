// Complex-event patterns: pure, deterministic detectors whose output is synthetic alert events.
export { AbsenceDetector } from './absence-detector.js'
export type { AbsencePattern, AbsencePatternInput, AnyAbsencePattern } from './absence-pattern.js'
export { defineAbsencePattern } from './absence-pattern.js'
export type { AlertContext, AlertKind, AlertRecord } from './alert-record.js'
export {
  ALERT_RECORD_SCHEMA,
  alertContextV1,
  alertRecordId,
  alertRecordMessage,
  alertRecordSchema,
  alertRecordV1,
} from './alert-record.js'
