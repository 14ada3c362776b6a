import '../test/all-modules.js';
import { type AttentionSpec, createAttention, ErrorCodes, initializeParameter } from '@attnkit/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttentionLayer, getCanonicalWeights, setCanonicalWeights } from './attention-layer.js';
import { useBackend } from './backends.js';

/**
 * The layer's options (stage, nominalChannels, seed, parameterPath) through getConfig /
 * fromConfig, its seeded weights against core's initializer, its default names, and the typed
 * errors of a layer used wrongly.
 */
describe('AttentionLayer options, names and errors', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const built = (args: ConstructorParameters<typeof AttentionLayer>[0], channels: number): AttentionLayer => {
    const layer = new AttentionLayer(args);
    layer.build([null, 4, 4, channels]);
    return layer;
  };

  it('getConfig carries every option given, and fromConfig rebuilds a layer with the same k and weights', () => {
    const attention: AttentionSpec = { type: 'eca', kernelSize: [3, 5, 5, 7] };
    const layer = built({ attention, stage: 3, nominalChannels: 320, seed: 5, parameterPath: 'layer4.1.eca', name: 'stage3_eca' }, 64);
    const config = layer.getConfig();
    expect(config).toMatchObject({ name: 'stage3_eca', attention, stage: 3, nominalChannels: 320, seed: 5, parameterPath: 'layer4.1.eca' });
    const rebuilt = AttentionLayer.fromConfig(AttentionLayer, config) as AttentionLayer;
    rebuilt.build([null, 4, 4, 64]);
    expect(rebuilt.getConfig()).toEqual(config);
    expect([rebuilt.stage, rebuilt.nominalChannels, rebuilt.seed, rebuilt.parameterPath]).toEqual([3, 320, 5, 'layer4.1.eca']);
    expect(rebuilt.kernelSize).toBe(7);
    expect(getCanonicalWeights(rebuilt)).toEqual(getCanonicalWeights(layer));
  });

  it('getConfig leaves out the options not given: seed 0, parameterPath defaults to the layer name', () => {
    const layer = built({ attention: 'eca' }, 64);
    const config = layer.getConfig();
    expect(config.seed).toBe(0);
    for (const key of ['stage', 'nominalChannels', 'parameterPath']) expect(config).not.toHaveProperty(key);
    expect(layer.parameterPath).toBe(layer.name);
    expect([layer.stage, layer.nominalChannels]).toEqual([undefined, undefined]);
  });

  it("nominalChannels picks the 'mobilenet-v2' kernel size (k = 1 below 96 nominal channels, else 3)", () => {
    expect(built({ attention: { type: 'eca', kernelSize: 'mobilenet-v2' }, nominalChannels: 96 }, 24).kernelSize).toBe(3);
    expect(built({ attention: { type: 'eca', kernelSize: 'mobilenet-v2' }, nominalChannels: 64 }, 240).kernelSize).toBe(1);
    expect(built({ attention: { type: 'eca', kernelSize: 'mobilenet-v2' } }, 240).kernelSize).toBe(3);
  });

  it("weights are core's seeded init of '<parameterPath>.<name>' (the layer name when no path is given)", () => {
    const withPath = built({ attention: { type: 'se', reductionRatio: 4 }, seed: 7, parameterPath: 'layer1.0.se' }, 16);
    const withName = built({ attention: { type: 'se', reductionRatio: 4 }, seed: 7, name: 'named_se' }, 16);
    const specs = createAttention({ type: 'se', reductionRatio: 4 }, 16).parameters;
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) {
      expect(getCanonicalWeights(withPath).get(spec.name)).toEqual(initializeParameter(spec, 7, `layer1.0.se.${spec.name}`));
      expect(getCanonicalWeights(withName).get(spec.name)).toEqual(initializeParameter(spec, 7, `named_se.${spec.name}`));
    }
  });

  it('default names are the module id with non-alphanumerics as _, numbered from 1 per id', () => {
    const first = new AttentionLayer({ attention: 'eca-ns' });
    const second = new AttentionLayer({ attention: { type: 'eca-ns', kernelSize: 3 } });
    const match = /^eca_ns_(\d+)$/.exec(first.name);
    expect(match).not.toBeNull();
    expect(second.name).toBe(`eca_ns_${Number(match![1]) + 1}`);
  });

  it('build takes a list of shapes, and computeOutputShape returns the input shape', () => {
    const layer = new AttentionLayer({ attention: 'eca' });
    layer.build([[null, 3, 3, 32]]);
    expect(layer.kernelSize).toBe(3);
    expect(layer.computeOutputShape([null, 3, 3, 32])).toEqual([null, 3, 3, 32]);
  });

  it('is applied in a model and its output shape is its input shape', () => {
    const input = tfl.input({ shape: [5, 6, 8] });
    const output = new AttentionLayer({ attention: 'se' }).apply(input) as tfl.SymbolicTensor;
    expect(output.shape).toEqual([null, 5, 6, 8]);
  });

  it('throws typed errors: unknown id, bad option, non-NHWC input, unknown parameter, use before build', () => {
    expect(() => new AttentionLayer({ attention: 'nope' as AttentionSpec })).toThrowError(expect.objectContaining({ code: ErrorCodes.UNKNOWN_MODULE }));
    expect(() => new AttentionLayer({ attention: { type: 'se', reductionRatio: -1 } })).toThrowError(expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }));

    const unbuilt = new AttentionLayer({ attention: 'eca', name: 'unbuilt_eca' });
    expect(() => unbuilt.instance).toThrowError(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED, details: { layer: 'unbuilt_eca' } }));
    expect(() => unbuilt.kernelSize).toThrowError(/attention layer 'unbuilt_eca' is not built yet/);

    for (const shape of [
      [null, 4, 4],
      [null, 4, 4, null],
      [null, 4, 4, 8, 1],
    ]) {
      expect(() => new AttentionLayer({ attention: 'eca' }).build(shape)).toThrowError(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, details: { shape } }));
    }

    const eca = built({ attention: 'eca', name: 'some_eca' }, 16);
    expect(() => eca.variable('conv.weights')).toThrowError(
      expect.objectContaining({ code: ErrorCodes.UNKNOWN_PARAMETER, message: "attention layer 'some_eca' (eca) has no parameter 'conv.weights'; it has: conv.weight", details: { name: 'conv.weights', nearest: ['conv.weight'] } }),
    );
    const simam = built({ attention: 'simam', name: 'some_simam' }, 16);
    expect(() => simam.variable('conv.weight')).toThrowError("attention layer 'some_simam' (simam) has no parameter 'conv.weight'; it has: (none)");
  });

  it('setCanonicalWeights checks every name and shape before writing anything', () => {
    const layer = built({ attention: { type: 'se', reductionRatio: 4 }, name: 'checked_se' }, 16);
    const before = getCanonicalWeights(layer);
    const [first, second] = layer.instance.parameters;
    const good = { shape: [...first.shape], data: new Float32Array(first.shape.reduce((a, b) => a * b, 1)).fill(0.25) };

    const unknown = new Map([
      [first.name, good],
      ['fc.weight', good],
    ]);
    expect(() => setCanonicalWeights(layer, unknown)).toThrowError(expect.objectContaining({ code: ErrorCodes.UNKNOWN_PARAMETER, details: expect.objectContaining({ name: 'fc.weight' }) }));
    expect(getCanonicalWeights(layer)).toEqual(before);

    const wrongShape = { shape: [...second.shape, 1], data: new Float32Array(second.shape.reduce((a, b) => a * b, 1)) };
    const misshapen = new Map([
      [first.name, good],
      [second.name, wrongShape],
    ]);
    expect(() => setCanonicalWeights(layer, misshapen)).toThrowError(
      expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, details: { name: second.name, expected: second.shape, actual: wrongShape.shape } }),
    );
    expect(getCanonicalWeights(layer)).toEqual(before);

    setCanonicalWeights(layer, new Map([[first.name, good]]));
    const after = getCanonicalWeights(layer);
    expect(after.get(first.name)).toEqual(good);
    expect(after.get(second.name)).toEqual(before.get(second.name));
  });

  it('bad kernel sizes fail at construction with INVALID_KERNEL_SIZE, as they would at build', () => {
    // Core's rule: k is a positive odd integer, in a per-stage list too (checked entry by entry).
    expect(() => new AttentionLayer({ attention: { type: 'eca', kernelSize: 4 } })).toThrowError(
      expect.objectContaining({ code: ErrorCodes.INVALID_KERNEL_SIZE, details: { kernelSize: 4 }, message: expect.stringMatching(/^ECA kernel size 4 is not valid/) }),
    );
    expect(() => new AttentionLayer({ attention: { type: 'eca-ns', kernelSize: [3, 5, 6, 7] }, stage: 0 })).toThrowError(
      expect.objectContaining({ code: ErrorCodes.INVALID_KERNEL_SIZE, details: { kernelSize: 6 }, message: expect.stringMatching(/^ECA kernel size 6 \(stage 3 of \[3, 5, 6, 7\]\) is not valid/) }),
    );
    expect(() => new AttentionLayer({ attention: { type: 'ecam', kernelSize: -1 } })).toThrowError(expect.objectContaining({ code: ErrorCodes.INVALID_KERNEL_SIZE }));
    // Valid rules, a list without a stage (given at build by a backbone) and other numeric options pass.
    for (const attention of ['eca', { type: 'eca', kernelSize: 5 }, { type: 'eca', kernelSize: [3, 5, 5, 7] }, { type: 'ceca', kernelSize: 'adaptive-min3' }, { type: 'se', reductionRatio: 16 }] as AttentionSpec[]) {
      expect(new AttentionLayer({ attention }).attention).toEqual(attention);
    }
    // The code core gives the same spec when it builds the module.
    expect(() => createAttention({ type: 'eca', kernelSize: 4 }, 8)).toThrowError(expect.objectContaining({ code: ErrorCodes.INVALID_KERNEL_SIZE, details: { kernelSize: 4 } }));
  });

  it("is registered for serialization as 'attnkit>Attention', and build marks it built", () => {
    const layer = new AttentionLayer({ attention: 'eca' });
    expect(layer.getClassName()).toBe('attnkit>Attention');
    expect(layer.built).toBe(false);
    layer.build([null, 4, 4, 8]);
    expect(layer.built).toBe(true);
  });

  it('names the layer, the module and every candidate in its error messages', () => {
    // A missing argument object is a malformed spec, not a TypeError.
    expect(() => new AttentionLayer(undefined as unknown as ConstructorParameters<typeof AttentionLayer>[0])).toThrowError(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION, details: { spec: undefined } }),
    );
    expect(() => new AttentionLayer({ attention: 'eca', name: 'flat_eca' }).build([2, 4, 4])).toThrowError(
      "attention layer 'flat_eca' takes NHWC inputs [N, H, W, C] with a known C, got [2, 4, 4]",
    );
    // An unknown size reads as '?', as in @attnkit/onnx's shape messages (join alone prints nothing there).
    expect(() => new AttentionLayer({ attention: 'eca', name: 'open_c' }).build([null, 4, 4, null])).toThrowError(
      "attention layer 'open_c' takes NHWC inputs [N, H, W, C] with a known C, got [?, 4, 4, ?]",
    );
    // SE r = 4 at C = 16: fc1.weight, fc1.bias, fc2.weight, fc2.bias.
    const se = built({ attention: { type: 'se', reductionRatio: 4 }, name: 'named_se' }, 16);
    expect(() => se.variable('fc.weight')).toThrowError("attention layer 'named_se' (se) has no parameter 'fc.weight'; it has: fc1.weight, fc1.bias, fc2.weight, fc2.bias");
    // Edit distance 1 to fc1.weight and fc2.weight, 5 to both biases (the tie goes alphabetically).
    expect(() => setCanonicalWeights(se, new Map([['fc.weight', { shape: [4, 16], data: new Float32Array(64) }]]))).toThrowError(
      "attention layer 'named_se' (se) has no parameter 'fc.weight'; did you mean fc1.weight, fc2.weight, fc1.bias?",
    );
    expect(() => setCanonicalWeights(se, new Map([['fc1.bias', { shape: [5], data: new Float32Array(5) }]]))).toThrowError(
      "parameter 'fc1.bias' of 'named_se' is [4] in PyTorch layout (k = n/a), got [5]",
    );
    const eca = built({ attention: { type: 'eca', kernelSize: 5 }, name: 'k5_eca' }, 16);
    expect(() => setCanonicalWeights(eca, new Map([['conv.weight', { shape: [1, 1, 3], data: new Float32Array(3) }]]))).toThrowError(
      "parameter 'conv.weight' of 'k5_eca' is [1, 1, 5] in PyTorch layout (k = 5), got [1, 1, 3]",
    );
  });
});
