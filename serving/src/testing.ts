/**
 * Helpers for suites and benches that run serving against real services (`@freshet/serving/testing`); not part
 * of the runtime API.
 */
export { type LinearModelOptions, linearOnnxModel } from './model/testing/linear-onnx.js'
export { type LinearModelDirOptions, linearModelDir, testModelCard } from './model/testing/model-dir.js'
