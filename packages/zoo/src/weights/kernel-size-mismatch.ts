import { AttnkitError, ErrorCodes, resolveKernelSize } from '@attnkit/core';

/** One ECA channel conv ([1, 1, k], or [C, 1, k] for ECA-NS) found in both model and file. */
export interface KernelSizePosition {
  /** Our parameter name, e.g. `layer2.0.eca.conv.weight`. */
  name: string;
  modelKernelSize: number;
  fileKernelSize: number;
}

interface StageLocation {
  /** 0-based, as `resolveKernelSize` counts stages. */
  stage: number;
  label: string;
  /** Output channels of the host block, where the backbone's table fixes them. */
  channels?: number;
}

// torchvision MobileNetV2's inverted-residual table: blocks per stage and their output channels.
const MOBILENET_V2_BLOCKS_PER_STAGE = [1, 2, 3, 4, 3, 3, 1];
const MOBILENET_V2_CHANNELS_PER_STAGE = [16, 24, 32, 64, 96, 160, 320];

const RESNET_ECA = /^layer(\d+)\.\d+\./;
const MOBILENET_V2_ECA = /^features\.(\d+)\.conv\.\d+\.conv\.weight$/;

function locate(name: string): StageLocation | undefined {
  const resnet = RESNET_ECA.exec(name);
  if (resnet) return { stage: Number(resnet[1]) - 1, label: `layer${resnet[1]}` };
  const mobilenet = MOBILENET_V2_ECA.exec(name);
  if (mobilenet) {
    let block = Number(mobilenet[1]);
    let first = 1;
    for (let stage = 0; stage < MOBILENET_V2_BLOCKS_PER_STAGE.length; stage++) {
      const count = MOBILENET_V2_BLOCKS_PER_STAGE[stage];
      if (block <= count && block >= 1) {
        const last = first + count - 1;
        return {
          stage,
          label: `stage ${stage + 1} (features.${first === last ? first : `${first}-${last}`})`,
          channels: MOBILENET_V2_CHANNELS_PER_STAGE[stage],
        };
      }
      block -= count;
      first += count;
    }
  }
  return undefined;
}

/** "k = 3 in layer1, k = 5 in layer2, ..." over every position, grouped by stage where known. */
function summarize(positions: readonly KernelSizePosition[], pick: (p: KernelSizePosition) => number): string {
  const groups = new Map<string, { stage: number; values: number[] }>();
  const loose: string[] = [];
  for (const position of positions) {
    const location = locate(position.name);
    if (!location) {
      loose.push(`k = ${pick(position)} at ${position.name}`);
      continue;
    }
    const group = groups.get(location.label) ?? { stage: location.stage, values: [] };
    group.values.push(pick(position));
    groups.set(location.label, group);
  }
  const staged = [...groups.entries()]
    .sort((a, b) => a[1].stage - b[1].stage)
    .map(([label, { values }]) =>
      values.every((k) => k === values[0]) ? `k = ${values[0]} in ${label}` : `k = [${values.join(', ')}] in ${label} (per block)`,
    );
  return [...staged, ...loose].join(', ');
}

/** The kernelSize option that builds the file's k at every position, if one exists. */
export function suggestKernelSize(positions: readonly KernelSizePosition[]): string | number | number[] | undefined {
  if (positions.length === 0) return undefined;
  const fileKs = positions.map((p) => p.fileKernelSize);
  if (fileKs.every((k) => k === fileKs[0])) return fileKs[0];
  const locations = positions.map((p) => locate(p.name));
  if (locations.some((location) => location === undefined)) return undefined;
  const located = locations as StageLocation[];
  if (
    located.every(
      (location, i) => location.channels !== undefined && resolveKernelSize('mobilenet-v2', location.channels) === fileKs[i],
    )
  ) {
    return 'mobilenet-v2';
  }
  const perStage: number[] = [];
  for (let i = 0; i < located.length; i++) {
    const { stage } = located[i];
    if (perStage[stage] !== undefined && perStage[stage] !== fileKs[i]) return undefined;
    perStage[stage] = fileKs[i];
  }
  // Sparse entries mean a stage without ECA in the file: no list can say "skip this stage".
  for (let stage = 0; stage < perStage.length; stage++) if (perStage[stage] === undefined) return undefined;
  return perStage;
}

function formatOption(value: string | number | number[]): string {
  if (Array.isArray(value)) return `kernelSize: [${value.join(', ')}]`;
  return typeof value === 'string' ? `kernelSize: '${value}'` : `kernelSize: ${value}`;
}

const LISTED_MISMATCHES = 10;

/**
 * The KERNEL_SIZE_MISMATCH error for a file whose ECA kernels differ from the model's: which k
 * the file holds at every position, which the model was built with, and the option that would
 * build a model this file loads into. `otherProblems` (a WEIGHTS_MISMATCH summary) is appended.
 */
export function kernelSizeMismatchError(positions: readonly KernelSizePosition[], otherProblems?: string): AttnkitError {
  const mismatched = positions.filter((p) => p.modelKernelSize !== p.fileKernelSize);
  const suggestion = suggestKernelSize(positions);
  const listed = mismatched
    .slice(0, LISTED_MISMATCHES)
    .map((p) => `${p.name} (model k = ${p.modelKernelSize}, file k = ${p.fileKernelSize})`);
  if (mismatched.length > LISTED_MISMATCHES) listed.push(`and ${mismatched.length - LISTED_MISMATCHES} more (error.details.mismatched)`);
  const advice =
    suggestion === undefined
      ? 'No single kernelSize option builds these k; give ECA the k listed above at each position.'
      : `Build the model with \`${formatOption(suggestion)}\`${Array.isArray(suggestion) ? ' (one k per stage)' : ''} to load this file.`;
  const message =
    `ECA kernel sizes differ between the model and the weights file at ${mismatched.length} of ${positions.length} positions. ` +
    `The file holds ${summarize(positions, (p) => p.fileKernelSize)}` +
    (Array.isArray(suggestion) ? `, i.e. [${suggestion.join(', ')}] per stage` : '') +
    `; the model was built with ${summarize(positions, (p) => p.modelKernelSize)}. ${advice} ` +
    `Mismatched: ${listed.join('; ')}.` +
    (otherProblems ? `\nThe file has other problems too:\n${otherProblems}` : '');
  return new AttnkitError(ErrorCodes.KERNEL_SIZE_MISMATCH, message, {
    fileKernelSizes: Object.fromEntries(positions.map((p) => [p.name, p.fileKernelSize])),
    modelKernelSizes: Object.fromEntries(positions.map((p) => [p.name, p.modelKernelSize])),
    mismatched: mismatched.map((p) => p.name),
    suggestion,
  });
}
