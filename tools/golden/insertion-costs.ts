import { type AttentionSpec, attentionNetwork, countCosts, traceNetwork } from '@attnkit/core';

/** [channels, H = W] at each insertion point at 224 x 224, as make_golden_modules.py has them. */
export const resnet50Points: ReadonlyArray<readonly [number, number]> = [
  ...Array<[number, number]>(3).fill([256, 56]),
  ...Array<[number, number]>(4).fill([512, 28]),
  ...Array<[number, number]>(6).fill([1024, 14]),
  ...Array<[number, number]>(3).fill([2048, 7]),
];
export const mobilenetV2Points: ReadonlyArray<readonly [number, number]> = [
  [16, 112],
  ...Array<[number, number]>(2).fill([24, 56]),
  ...Array<[number, number]>(3).fill([32, 28]),
  ...Array<[number, number]>(4).fill([64, 14]),
  ...Array<[number, number]>(3).fill([96, 14]),
  ...Array<[number, number]>(3).fill([160, 7]),
  [320, 7],
];

/** Parameters and MACs a module adds over the given insertion points, traced and counted by core. */
export function insertionCosts(spec: AttentionSpec, points: ReadonlyArray<readonly [number, number]>): { parameters: number; macs: number } {
  let parameters = 0;
  let macs = 0;
  for (const [channels, size] of points) {
    const costs = countCosts(traceNetwork(attentionNetwork(spec, channels, [1, channels, size, size])));
    parameters += costs.parameters;
    macs += costs.macs;
  }
  return { parameters, macs };
}
