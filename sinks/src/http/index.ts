// The offline store's HTTP API (training sets), and what its clients and every Freshet HTTP API (the backfill
// admin API, the ETA serving API) share: API key auth with scopes, RFC 9457 problem details, feature ref
// resolution and the output formats.
export {
  type ApiKey,
  type ApiKeyAuthOptions,
  type AuthEnv,
  apiKeyAuth,
  type Client,
  parseApiKeys,
  requireScope,
  SCOPES,
  type Scope,
} from './api-keys.js'
export { type FeatureViewListing, listFeatureViews, resolveFeatureRefs } from './feature-refs.js'
export { createOfflineApi, type OfflineApiEnv, type OfflineApiOptions } from './offline-api.js'
export {
  OFFLINE_API_PROBLEMS,
  type Problem,
  ProblemError,
  type ProblemKind,
  type ProblemMap,
  problem,
  problemResponse,
  SERVING_API_PROBLEMS,
  toProblem,
} from './problem.js'
export { OUTPUT_FORMATS, type OutputFormat } from './training-set-request.js'
export { OUTPUT_ENCODINGS } from './training-set-response.js'
