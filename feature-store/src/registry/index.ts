// The feature registry: registered view versions (schema, entity, ttl, owner, content hash), the promoted version
// of each view, and its store port
export type { ViewDefinition } from './content-hash.js'
export { canonicalJson, contentHashOf, definitionOf, HASHED_KEYS } from './content-hash.js'
export { diffDefinitions } from './definition-diff.js'
export type { ViewFunctions } from './describe-view.js'
export { describeView } from './describe-view.js'
export type { FeatureRegistryOptions, Registration, RegistrationOutcome } from './feature-registry.js'
export { FeatureRegistry } from './feature-registry.js'
export { canonicalFunctionText } from './function-text.js'
export { createMemoryRegistryStore } from './memory-registry-store.js'
export type { BackfillEvidence, PromoteOptions, Promotion } from './promotion.js'
export { parseViewRef, promotedVersions } from './promotion.js'
export type {
  RegisteredAggregator,
  RegisteredFeature,
  RegisteredField,
  RegisteredView,
  RegisteredWindow,
} from './registered-view.js'
export { compareRegisteredViews, parseRegisteredView, registeredViewSchema } from './registered-view.js'
export type { PromotionWrite, RegistryReader, RegistryStore } from './registry-store.js'
