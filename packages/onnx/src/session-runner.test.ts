import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeModel } from './model-codec.js';
import { createRunner, type OnnxSession, type RuntimeName } from './session-runner.js';
import { buildConvReluPoolModel, convReluPoolExpected, convReluPoolInput } from './test-models.js';

const modelBytes = encodeModel(buildConvReluPoolModel());
/** The onnxruntime release under test: the workspace's, or the one tools/runtime-range swaps in. */
const runtimeVersion = process.env.ATTNKIT_ONNXRUNTIME_VERSION ?? '1.30.0';

describe.each<RuntimeName>(['onnxruntime-node', 'onnxruntime-web'])('%s', (runtime) => {
  const sessions: OnnxSession[] = [];
  afterAll(async () => {
    for (const session of sessions) await session.dispose();
  });

  test('runs the hand-built model and matches the hand computation [40/9, 6]', async () => {
    const runner = await createRunner({ runtime, threads: 2 });
    expect(runner.runtime).toBe(runtime);
    expect(runner.version).toBe(runtimeVersion);
    const session = await runner.load(modelBytes);
    sessions.push(session);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);

    const started = performance.now();
    const { y } = await session.run({ x: convReluPoolInput });
    const runMilliseconds = performance.now() - started;

    expect(y.dims).toEqual(convReluPoolExpected.dims);
    expect(y.data[0]).toBeCloseTo(40 / 9, 6);
    expect(y.data[1]).toBeCloseTo(6, 6);

    const info = session.info();
    expect(info).toMatchObject({ runtime, version: runtimeVersion, threads: 2, inputNames: ['x'], outputNames: ['y'] });
    expect(info.executionProviders).toEqual(runtime === 'onnxruntime-node' ? ['cpu'] : ['wasm']);
    expect(info.simd).toBe(runtime === 'onnxruntime-node' ? null : true);
    // Information only (never asserted): the numbers the report quotes.
    console.info(`${runtime}: load ${info.loadMilliseconds.toFixed(1)} ms, first run ${runMilliseconds.toFixed(2)} ms`);
  });

  test('rejects a missing input, an unknown input and a wrong element count', async () => {
    const runner = await createRunner({ runtime });
    const session = await runner.load(modelBytes);
    sessions.push(session);
    await expect(session.run({})).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION, message: expect.stringMatching(/input 'x' is missing/) });
    await expect(session.run({ x: convReluPoolInput, z: convReluPoolInput })).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION });
    await expect(session.run({ x: { dims: [1, 2, 3, 3], data: new Float32Array(17) } })).rejects.toMatchObject({
      code: ErrorCodes.SHAPE_MISMATCH,
      message: expect.stringMatching(/need a Float32Array of 18 values, got 17/),
    });
  });

  test('a file the runtime cannot load is INVALID_FILE', async () => {
    const runner = await createRunner({ runtime });
    await expect(runner.load(modelBytes.subarray(0, 100))).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE });
  });
});

describe('createRunner', () => {
  test("'auto' picks the native onnxruntime-node in Node.js", async () => {
    const runner = await createRunner();
    expect(runner.runtime).toBe('onnxruntime-node');
  });

  test("'auto' falls back to onnxruntime-web when onnxruntime-node does not load", async () => {
    const runner = await createRunner({
      importRuntime: { 'onnxruntime-node': () => Promise.reject(new Error('Cannot find module onnxruntime_binding.node')) },
    });
    expect(runner.runtime).toBe('onnxruntime-web');
  });

  test('BACKEND_UNAVAILABLE lists every runtime tried and why', async () => {
    const error = await createRunner({
      importRuntime: {
        'onnxruntime-node': () => Promise.reject(new Error('native binding missing')),
        'onnxruntime-web': () => Promise.resolve({ something: 'else' }),
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
    expect((error as AttnkitError).details.tried).toEqual([
      { runtime: 'onnxruntime-node', reason: 'native binding missing' },
      { runtime: 'onnxruntime-web', reason: 'the module has no InferenceSession, Tensor and env exports' },
    ]);
    expect((error as AttnkitError).message).toMatch(/tried onnxruntime-node \(native binding missing\); onnxruntime-web \(the module has no/);
  });

  test('rejects an unknown runtime name and a bad thread count', async () => {
    await expect(createRunner({ runtime: 'onnxruntime-gpu' as never })).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION });
    await expect(createRunner({ threads: 0 })).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION });
  });
});
