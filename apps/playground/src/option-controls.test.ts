import { describe, expect, it } from 'vitest';
import { formatKernelSize, parseKernelSize } from './option-controls.js';

describe('kernel-size text', () => {
  it('reads the rule words, one k and a per-stage list', () => {
    expect(parseKernelSize(' adaptive ')).toBe('adaptive');
    expect(parseKernelSize('5')).toBe(5);
    expect(parseKernelSize('3, 5,5 ,7')).toEqual([3, 5, 5, 7]);
  });

  it('passes anything else on unchanged, for core to refuse with its message', () => {
    expect(parseKernelSize('five')).toBe('five');
    expect(parseKernelSize('3;5')).toBe('3;5');
  });

  it('writes a list back as the text it reads', () => {
    expect(parseKernelSize(formatKernelSize([3, 5, 5, 7]))).toEqual([3, 5, 5, 7]);
  });
});
