import { describe, expect, it } from 'vitest';
import { AttnkitError, ErrorCodes } from './errors.js';
import { type OptionsSchema, optionsJsonSchema, validateOptions } from './options.js';

const schema: OptionsSchema = {
  reductionRatio: { type: 'integer', default: 16, min: 1, max: 64, description: 'r' },
  gamma: { type: 'number', default: 2, exclusiveMin: 0, description: 'gamma' },
  bias: { type: 'boolean', default: true, description: 'bias' },
  poolOrder: { type: 'enum', values: ['max-mean', 'mean-max'], default: 'max-mean', description: 'order' },
  kernelSize: { type: 'kernel-size', default: 'adaptive', description: 'k' },
};

function errorOf(input: Record<string, unknown>): AttnkitError {
  try {
    validateOptions('mod', schema, input);
  } catch (error) {
    if (error instanceof AttnkitError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('validateOptions', () => {
  it('fills defaults and keeps given values', () => {
    expect(validateOptions('mod', schema)).toEqual({ reductionRatio: 16, gamma: 2, bias: true, poolOrder: 'max-mean', kernelSize: 'adaptive' });
    expect(validateOptions('mod', schema, { reductionRatio: 8, bias: false, kernelSize: [3, 5, 5, 7] })).toMatchObject({
      reductionRatio: 8,
      bias: false,
      kernelSize: [3, 5, 5, 7],
    });
    expect(validateOptions('mod', schema, { gamma: undefined }).gamma).toBe(2);
  });

  it('copies list values so later edits of the input do not leak in', () => {
    const list = [3, 5];
    const resolved = validateOptions('mod', schema, { kernelSize: list });
    list[0] = 9;
    expect(resolved.kernelSize).toEqual([3, 5]);
  });

  it.each([
    [{ reductionRatio: 0 }, "mod: option 'reductionRatio' is 0; expected an integer >= 1 <= 64"],
    [{ reductionRatio: 65 }, "mod: option 'reductionRatio' is 65; expected an integer >= 1 <= 64"],
    [{ reductionRatio: 2.5 }, "mod: option 'reductionRatio' is 2.5; expected an integer >= 1 <= 64"],
    [{ reductionRatio: '16' }, `mod: option 'reductionRatio' is "16"; expected an integer >= 1 <= 64`],
    [{ gamma: 0 }, "mod: option 'gamma' is 0; expected a number > 0"],
    [{ gamma: Number.POSITIVE_INFINITY }, "mod: option 'gamma' is Infinity; expected a number > 0"],
    [{ gamma: Number.NaN }, "mod: option 'gamma' is NaN; expected a number > 0"],
    [{ bias: 'yes' }, `mod: option 'bias' is "yes"; expected true or false`],
    [{ poolOrder: 'max' }, `mod: option 'poolOrder' is "max"; expected one of 'max-mean', 'mean-max'`],
    [{ kernelSize: 3.5 }, "mod: option 'kernelSize' is 3.5; expected 'adaptive', 'adaptive-min3', 'mobilenet-v2', an odd integer, or a per-stage list of odd integers"],
    [{ kernelSize: [3, '5'] }, `mod: option 'kernelSize' is [3,"5"]; expected 'adaptive', 'adaptive-min3', 'mobilenet-v2', an odd integer, or a per-stage list of odd integers`],
  ])('refuses %j with INVALID_OPTION: %s', (input, message) => {
    const error = errorOf(input);
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe(message);
    expect(error.details.path).toBe(Object.keys(input)[0]);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty'])('refuses %s, which every object has but the schema does not', (key) => {
    expect(errorOf({ [key]: 1 }).message).toContain(`unknown option '${key}'`);
  });

  it('refuses unknown keys and lists the known ones', () => {
    const error = errorOf({ reduction: 16 });
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe("mod: unknown option 'reduction'; known options are 'reductionRatio', 'gamma', 'bias', 'poolOrder', 'kernelSize'");
    expect(error.details.allowed).toEqual(['reductionRatio', 'gamma', 'bias', 'poolOrder', 'kernelSize']);
  });
});

describe('optionsJsonSchema', () => {
  it('renders each descriptor as JSON Schema without undefined fields', () => {
    expect(optionsJsonSchema(schema)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        reductionRatio: { type: 'integer', minimum: 1, maximum: 64, default: 16, description: 'r' },
        gamma: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'gamma' },
        bias: { type: 'boolean', default: true, description: 'bias' },
        poolOrder: { enum: ['max-mean', 'mean-max'], default: 'max-mean', description: 'order' },
        kernelSize: {
          description: 'k',
          default: 'adaptive',
          oneOf: [
            { enum: ['adaptive', 'adaptive-min3', 'mobilenet-v2'] },
            { type: 'integer', minimum: 1 },
            { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
          ],
        },
      },
    });
  });
});
