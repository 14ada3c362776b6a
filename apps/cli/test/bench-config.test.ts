import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { loadZoo } from '../src/bench/backends/package-apis.js';
import { benchConfigJsonSchema, parseBenchConfig, zooBackboneNames } from '../src/bench/bench-config.js';

const schemaPath = fileURLToPath(new URL('../schema/bench-config.schema.json', import.meta.url));
const defaultConfigPath = fileURLToPath(new URL('../bench.default.json', import.meta.url));

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseBenchConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_CONFIG);
    return (error as AttnkitError).details.issues as Array<{ path: string; message: string }>;
  }
  throw new Error('the config was accepted');
}

describe('bench config schema', () => {
  it('is published up to date (WRITE_BENCH_SCHEMA=1 rewrites it: scripts/generate-bench-schema.mjs)', () => {
    const expected = `${JSON.stringify(benchConfigJsonSchema(), null, 2)}\n`;
    if (process.env.WRITE_BENCH_SCHEMA === '1') {
      mkdirSync(dirname(schemaPath), { recursive: true });
      writeFileSync(schemaPath, expected);
    }
    expect(readFileSync(schemaPath, 'utf8')).toBe(expected);
  });

  it('lists the zoo backbones the zoo has', async () => {
    const zoo = await loadZoo();
    expect(zoo.reason).toBeUndefined();
    expect([...zooBackboneNames].sort()).toEqual([...zoo.api!.listBackbones()].sort());
  });

  it('offers every registered attention id and its options to editors', () => {
    const schema = benchConfigJsonSchema() as { $defs: { AttentionEntry: { anyOf: Array<{ enum?: string[]; properties?: Record<string, unknown> }> } } };
    const [ids, ...specs] = schema.$defs.AttentionEntry.anyOf;
    expect(ids.enum).toEqual(expect.arrayContaining(['none', 'eca', 'se', 'cbam']));
    const eca = specs.find((s) => (s.properties?.type as { const?: string })?.const === 'eca');
    expect(Object.keys(eca!.properties!)).toContain('kernelSize');
  });

  it('accepts the default config: 2 models x 4 modules x 3 backends at 224, batch 1, plus the torch export', () => {
    const config = parseBenchConfig(JSON.parse(readFileSync(defaultConfigPath, 'utf8')), { configPath: defaultConfigPath });
    expect(config.models.map((m) => m.label)).toEqual(['resnet50', 'mobilenet_v2', 'resnet50 torch.onnx.export']);
    expect(config.attention.map((a) => a.label)).toEqual(['none', 'se', 'cbam', 'eca']);
    expect(config.models[0].backends).toEqual(['onnx-node', 'onnx-wasm', 'tfjs-wasm']);
    expect(config.inputSizes).toEqual([224]);
    expect(config.batchSizes).toEqual([1]);
    expect(config.models[2].sameNetworkAs).toBe('resnet50');
    // The torch.onnx.export reference is committed as a weightless graph, filled from our resnet50.
    expect(config.models[2].unavailable).toBeUndefined();
    expect(config.models[2].weightsFrom).toEqual({ label: 'resnet50', backbone: 'resnet50', options: {} });
  });

  it('adds the plain network as the baseline of every overhead', () => {
    const config = parseBenchConfig({ models: ['resnet18'], attention: ['eca'], backends: ['onnx-node'], measure: { iterations: 1 } });
    expect(config.attention.map((a) => a.label)).toEqual(['none', 'eca']);
  });
});

describe('bad bench configs', () => {
  it('lists every bad field with its path and the allowed values', () => {
    const issues = issuesOf({
      models: ['resnet5', { backbone: 'vgg16' }],
      attention: ['ecb', { type: 'eca', kernelSize: 4 }],
      backends: ['onnx-gpu'],
      inputSizes: [0],
      threads: 0,
      warmup: { window: 3, bogus: 1 },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(['attention[0]', 'attention[1]', 'backends[0]', 'inputSizes[0]', 'models[0]', 'models[1].backbone', 'threads', 'warmup'].sort());
    expect(byPath['backends[0]']).toMatch(/onnx-node.*onnx-wasm.*tfjs-wasm.*tfjs-cpu/);
    expect(byPath['attention[0]']).toMatch(/'none', .*'eca'/);
    expect(byPath['attention[1]']).toMatch(/odd/);
    expect(byPath['models[0]']).toMatch(/resnet18, resnet34, resnet50, resnet101, resnet152, mobilenet_v2/);
    expect(byPath.warmup).toMatch(/bogus/);
  });

  it('refuses a missing model file unless it is optional', () => {
    expect(issuesOf({ models: ['missing/model.onnx'], attention: ['none'], backends: ['onnx-node'] })).toEqual([
      { path: 'models[0]', message: expect.stringMatching(/file not found: .*missing\/model\.onnx/) },
    ]);
    const config = parseBenchConfig({ models: [{ path: 'missing/model.onnx', optional: true }], attention: ['none'], backends: ['onnx-node'] });
    expect(config.models[0].unavailable).toMatch(/file not found/);
  });

  it('refuses weightsFrom that names no zoo model, disagrees with sameNetworkAs, or sits on a zoo entry', () => {
    const fixture = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/resnet18_w8.onnx', import.meta.url));
    const issues = issuesOf({
      models: [
        { backbone: 'resnet18', label: 'small', options: { width: 8 }, weightsFrom: 'resnet18' },
        { path: fixture, weightsFrom: 'resnet19' },
        { path: fixture, label: 'b', weightsFrom: 'small', sameNetworkAs: 'resnet50' },
      ],
      attention: ['none'],
      backends: ['onnx-node'],
    });
    expect(issues.map((i) => i.path)).toEqual(['models[0].weightsFrom', 'models[1].weightsFrom', 'models[2].weightsFrom']);
    expect(issues[1].message).toMatch(/'resnet19' is neither the label of a zoo model in this config nor a zoo backbone/);
    expect(issues[2].message).toMatch(/'small' is a resnet18, but sameNetworkAs says resnet50/);
  });

  it('refuses a config that is not an object, and required fields that are missing', () => {
    expect(issuesOf([]).map((i) => i.path)).toEqual(['(root)']);
    expect(issuesOf({}).map((i) => i.path).sort()).toEqual(['attention', 'backends', 'models']);
  });
});
