/**
 * The page's version of the CLI's `backends/package-apis.ts`: the packages are imported
 * statically (a page cannot `import()` a bare package name at run time), with the same exports.
 */
import * as onnx from '@attnkit/onnx';
import * as tfjs from '@attnkit/tfjs';
import * as zoo from '@attnkit/zoo';
import type { Loaded, OnnxApi, TfjsApi, ZooApi } from '../../../cli/src/bench/backends/package-apis.js';

export type * from '../../../cli/src/bench/backends/package-apis.js';
export const onnxEmitterNames = ['emitModel'] as const;
export const onnxInserterNames = ['insertAttention'] as const;

const loaded = <T>(api: unknown): Promise<Loaded<T>> => Promise.resolve({ api: api as T });

export const loadZoo = () => loaded<ZooApi>(zoo);
export const loadTfjs = () => loaded<TfjsApi>(tfjs);
export const loadOnnx = () => loaded<OnnxApi>(onnx);

export function findExport<T>(api: object, names: readonly string[]): T | undefined {
  for (const name of names) {
    const value = (api as Record<string, unknown>)[name];
    if (typeof value === 'function') return value as T;
  }
  return undefined;
}
