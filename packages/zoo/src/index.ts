export { type Backbone, type BackboneOptions, type InsertionReport, insertionReport } from './backbone.js';
export { type AnyBackboneOptions, type BackboneName, createBackbone, listBackbones } from './create-backbone.js';
export { type LoadedWeights, type LoadWeightsOptions, loadWeights } from './load-weights.js';
export {
  MOBILENET_V2_FEATURE_BLOCKS,
  MOBILENET_V2_SETTINGS,
  type MobileNetV2Options,
  makeDivisible,
  mobilenetV2,
} from './mobilenet-v2.js';
export {
  ATTENTION_PLACEMENTS,
  type AttentionPlacement,
  type AttentionSlotOptions,
  type BlockInfo,
  type BlockPredicate,
} from './placement.js';
export { createTimmResNet, TIMM_RESNETS, type TimmResNetName, type TimmResNetOptions } from './timm-resnet.js';
export { createResNet, RESNET_STAGES, type ResNetName, type ResNetOptions, resnet18, resnet34, resnet50, resnet101, resnet152 } from './resnet.js';
export { type SaveWeightsOptions, saveWeights } from './save-weights.js';
export * from './weights/index.js';
