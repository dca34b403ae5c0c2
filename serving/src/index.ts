// The ETA serving API: Hono app, ETA service over the online store, ONNX model loading and hot reload. Its
// API keys and problem details are the ones every Freshet HTTP API shares, from @freshet/sinks.
export {
  type ApiKey,
  apiKeyAuth,
  type Client,
  type Problem,
  ProblemError,
  type ProblemKind,
  type ProblemMap,
  parseApiKeys,
  problem,
  problemResponse,
  requireScope,
  SCOPES,
  type Scope,
  SERVING_API_PROBLEMS,
  toProblem,
} from '@freshet/sinks'
export { createServingApp, type ServingAppOptions } from './app.js'
export { loadServingConfig, type ServingConfig } from './config.js'
export {
  type CarEta,
  type CarOutcome,
  type CarPosition,
  createEtaService,
  type EtaAnswer,
  type EtaQuery,
  type EtaService,
  type EtaServiceOptions,
  type LegEta,
  type Unscored,
} from './eta/eta-service.js'
export {
  buildFeaturePlan,
  type Column,
  DEFAULT_POSITION_REFS,
  type FeaturePlan,
  type PositionRefs,
} from './eta/feature-plan.js'
export { type FeatureAction, type FeatureReport, fillLeg, type LegSources } from './eta/leg-features.js'
export { ViewTtls } from './eta/view-ttls.js'
export {
  type LatLon,
  type LegInput,
  ON_DEMAND_FEATURES,
  onDemandFeatures,
  zoneOf,
} from './features/on-demand.js'
export { jsonBody } from './http/json-body.js'
export { createServingMetrics, type ServingMetrics } from './http/metrics.js'
export { type EtaModel, type LoadEtaModelOptions, loadEtaModel, MODEL_CARD_FILE } from './model/eta-model.js'
export {
  type MissingPolicy,
  type ModelCardJson,
  type ModelInput,
  modelCardSchema,
  parseModelCard,
} from './model/model-card.js'
export { ModelHolder, type ReloadOutcome } from './model/model-holder.js'
export { reloadModel } from './model/reload-model.js'
export { checkSignature, type SessionSignature, type SignatureContext } from './model/signature.js'
export { type OpenServingOptions, openServing, type Serving } from './open-serving.js'
export type { ServingEnv } from './routes/env.js'
export type { EtaResponseBody, OnlineFeaturesBody, RankResponseBody } from './routes/schemas.js'
