export { AttentionLayer, type AttentionLayerArgs, attentionLayer, getCanonicalWeights, setCanonicalWeights } from './attention-layer.js';
export { type BackendName, type BackendReport, type UseBackendOptions, useBackend } from './backends.js';
export { type LayoutOptions, type TfjsTensorData, fromTfjsLayout, tfjsShape, toTfjsLayout } from './layout.js';
export { type TfjsOpsOptions, tfjsOps } from './tfjs-ops.js';
export { type InferenceFunction, compileInference } from './fast-inference.js';
export { type InsertAttentionOptions, type InsertAttentionResult, type InsertionReportEntry, insertAttention, residualBranchInputs } from './insert-attention.js';
export { type ToLayersModelOptions, attentionSpecOf, toLayersModel } from './layers-model.js';
export { LOWEST_FLOAT32, MaxPoolPadding2D, type MaxPoolPadding2DArgs } from './max-pool-padding.js';
export { type LayerCall, type ModelGraph, readModelGraph, tensorKey } from './model-graph.js';
