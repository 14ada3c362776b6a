import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from './write-safetensors.js';

const tensor = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

/** The AttnkitError `run` throws, checked to carry `code`. */
function errorOf(run: () => unknown, code: string): AttnkitError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(code);
    return error as AttnkitError;
  }
  throw new Error('expected writeSafetensors to throw');
}

const optionError = (run: () => unknown) => errorOf(run, ErrorCodes.INVALID_OPTION);

describe('writeSafetensors edge cases', () => {
  it('writes the exact bytes of one U+00E9-named scalar: header, space padding, data', () => {
    const bytes = writeSafetensors({ é: tensor([], [1]) });
    // {"é":{"dtype":"F32","shape":[],"data_offsets":[0,4]}} is 53 characters, 54 UTF-8 bytes (é is C3 A9),
    // padded with two spaces to 56.
    const header = '{"é":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
    expect(Array.from(bytes.subarray(0, 8))).toEqual([56, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(`${header}  `);
    expect(Array.from(bytes.subarray(64))).toEqual([0, 0, 0x80, 0x3f]);
    expect(bytes.length).toBe(68);
  });

  it('keeps names already in order in that order, and sorts any other order (code unit order)', () => {
    const names = (bytes: Uint8Array) => {
      const length = new DataView(bytes.buffer).getUint32(0, true);
      return Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))));
    };
    const of = (order: string[]) => new Map(order.map((name) => [name, tensor([1], [0])]));
    expect(names(writeSafetensors(of(['B', 'a', 'b'])))).toEqual(['B', 'a', 'b']);
    expect(names(writeSafetensors(of(['b', 'B', 'c', 'a'])))).toEqual(['B', 'a', 'b', 'c']);
  });

  it('names the allowed dtypes in the details of a bad dtype', () => {
    const error = optionError(() => writeSafetensors({}, { dtype: 'I8' as 'F32' }));
    expect(error.message).toBe('dtype must be one of F32, F16, BF16, got "I8"');
    expect(error.details).toEqual({ path: 'dtype', allowed: ['F32', 'F16', 'BF16'] });
  });

  it('refuses metadata that is null, an array or a string, and gives the path of a non-string value', () => {
    for (const metadata of [null, ['pt'], 'pt']) {
      const error = optionError(() => writeSafetensors({}, { metadata: metadata as unknown as Record<string, string> }));
      expect(error.message).toBe('metadata must be an object of strings, e.g. { format: "pt" }');
      expect(error.details).toEqual({ path: 'metadata' });
    }
    const error = optionError(() => writeSafetensors({}, { metadata: { epochs: 90 as unknown as string } }));
    expect(error.message).toBe('metadata.epochs must be a string (safetensors metadata maps strings to strings), got number');
    expect(error.details).toEqual({ path: 'metadata.epochs' });
  });

  it('refuses the empty name and __metadata__ as tensor names', () => {
    const empty = optionError(() => writeSafetensors({ '': tensor([1], [1]) }));
    expect(empty.message).toBe('a tensor cannot be named "" (the empty name and "__metadata__" are reserved)');
    expect(empty.details).toEqual({ path: 'tensors', name: '' });
    expect(optionError(() => writeSafetensors({ __metadata__: tensor([1], [1]) })).details).toEqual({ path: 'tensors', name: '__metadata__' });
  });

  it('refuses a tensor that is null, a function, or has a shape that is not an array', () => {
    const data = Float32Array.from([1]);
    const functionTensor = Object.assign(() => undefined, { shape: [1], data });
    for (const value of [null, functionTensor, { shape: '1', data }]) {
      const error = optionError(() => writeSafetensors({ w: value as unknown as Tensor }));
      expect(error.message).toBe('tensor "w" must be { shape: number[], data: Float32Array }');
      expect(error.details).toEqual({ path: 'tensors.w' });
    }
  });

  it('refuses negative or fractional dimensions even when their product matches the data', () => {
    for (const shape of [[-2, -1], [0.5, 4]]) {
      const error = errorOf(() => writeSafetensors({ w: { shape, data: new Float32Array(2) } }), ErrorCodes.SHAPE_MISMATCH);
      expect(error.message).toBe(`tensor "w" has shape [${shape.join(', ')}]; dimensions must be non-negative integers`);
      expect(error.details).toEqual({ name: 'w', shape });
    }
  });

  it('gives the shape and data length of a mismatched tensor', () => {
    const error = errorOf(() => writeSafetensors({ w: { shape: [2, 3], data: new Float32Array(5) } }), ErrorCodes.SHAPE_MISMATCH);
    expect(error.details).toEqual({ name: 'w', shape: [2, 3], length: 5 });
  });
});
