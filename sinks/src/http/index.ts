// The offline store's HTTP API (training sets), and what its clients and sibling APIs reuse: API key auth,
// problem details, feature ref resolution and the output formats.
export { apiKeyAuth } from './api-key-auth.js'
export { type FeatureViewListing, listFeatureViews, resolveFeatureRefs } from './feature-refs.js'
export { createOfflineApi, type OfflineApiEnv, type OfflineApiOptions } from './offline-api.js'
export { type Problem, type ProblemKind, problem, problemResponse, toProblem } from './problem.js'
export { OUTPUT_FORMATS, type OutputFormat } from './training-set-request.js'
export { OUTPUT_ENCODINGS } from './training-set-response.js'
