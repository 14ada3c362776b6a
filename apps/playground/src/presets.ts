import type { PlaygroundConfig } from './browser-bench-config.js';

/** The same budget for every preset: a browser tab should answer in minutes, not the CLI's 5 s per cell. */
const budget = {
  warmup: { minIterations: 2, maxIterations: 10, maxSeconds: 10, stableWithin: 0.1, window: 2 },
  measure: { iterations: 10, iterationsPerRound: 2 },
  machineLimit: { enabled: false },
} satisfies Partial<PlaygroundConfig>;

/**
 * The paper's comparisons (ECA-Net, Tables 2 and 3: ResNet-50/101 and MobileNetV2 with SE, CBAM
 * and ECA), plus a small one that runs in seconds.
 */
export const presets: Record<string, { label: string; config: PlaygroundConfig }> = {
  quick: {
    label: 'Quick look: ResNet-18 at 64 px, none / SE / CBAM / ECA',
    config: {
      models: [{ backbone: 'resnet18', options: { numClasses: 10 } }],
      attention: ['none', 'se', 'cbam', 'eca'],
      backends: ['onnx-wasm', 'tfjs-wasm'],
      inputSizes: [64],
      seed: 0,
      ...budget,
      measure: { iterations: 6, iterationsPerRound: 2 },
    },
  },
  'paper-resnet50': {
    label: 'Paper, Table 2: ResNet-50 + none / SE / CBAM / ECA at 224 px',
    config: { models: ['resnet50'], attention: ['none', 'se', 'cbam', 'eca'], backends: ['onnx-wasm', 'tfjs-wasm'], inputSizes: [224], seed: 0, ...budget },
  },
  'paper-resnet101': {
    label: 'Paper, Table 2: ResNet-101 + none / SE / CBAM / ECA at 224 px',
    config: { models: ['resnet101'], attention: ['none', 'se', 'cbam', 'eca'], backends: ['onnx-wasm', 'tfjs-wasm'], inputSizes: [224], seed: 0, ...budget },
  },
  'paper-mobilenet_v2': {
    label: 'Paper, Table 3: MobileNetV2 + none / SE / ECA at 224 px',
    config: { models: ['mobilenet_v2'], attention: ['none', 'se', 'eca'], backends: ['onnx-wasm', 'tfjs-wasm'], inputSizes: [224], seed: 0, ...budget },
  },
  'released-eca-resnet50': {
    label: 'Released ECA-ResNet-50: k = 3, 5, 5, 7 per stage',
    config: { models: ['resnet50'], attention: ['none', { type: 'eca', kernelSize: [3, 5, 5, 7] }], backends: ['onnx-wasm', 'tfjs-wasm'], inputSizes: [224], seed: 0, ...budget },
  },
};

export const defaultPreset = 'quick';
