import type { BenchBackend } from '../bench-backend.js';
import type { BenchBackendName } from '../bench-config.js';
import { createOnnxBackend } from './onnx-backend.js';
import { createTfjsBackend } from './tfjs-backend.js';

/** One explicit table from config name to implementation. */
export function createBackendTable(): Record<BenchBackendName, BenchBackend> {
  return {
    'onnx-node': createOnnxBackend('onnx-node'),
    'onnx-wasm': createOnnxBackend('onnx-wasm'),
    'tfjs-wasm': createTfjsBackend('tfjs-wasm'),
    'tfjs-cpu': createTfjsBackend('tfjs-cpu'),
  };
}
