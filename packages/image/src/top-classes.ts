import { AttnkitError, ErrorCodes } from '@attnkit/core';

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

/**
 * The `top` most probable classes of one row of logits: softmax in float64 (max subtracted),
 * highest first, ties by lower index. `labels` names the classes (missing names read `class <i>`).
 */
export function topClasses(logits: ArrayLike<number>, top: number, labels: readonly string[] = []): ClassScore[] {
  if (!Number.isInteger(top) || top < 1) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `top must be a whole number >= 1, got ${top}`, { path: 'top', value: top });
  }
  if (logits.length === 0) throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, 'no logits to rank: the network gave an empty output', { value: 0 });
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] - max);
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  return order.slice(0, top).map((index) => ({ index, label: labels[index] ?? `class ${index}`, probability: Math.exp(logits[index] - max) / total }));
}
