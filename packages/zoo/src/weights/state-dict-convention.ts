/**
 * The state-dict naming conventions of the checkpoints users already have (docs/paper.md section 7)
 * and how each maps onto our canonical names: torchvision's backbone names plus the attention
 * under `eca` (`layer1.0.eca.conv.weight` [1, 1, k]), `se` (`se.fc1` / `se.fc2`, Linear) or
 * `cbam` (the official CBAM names).
 *
 * | convention      | attention keys in the file                   | our name                  |
 * |-----------------|----------------------------------------------|---------------------------|
 * | torchvision     | none                                         | same                      |
 * | official-eca    | `layer1.0.eca.conv.weight`                   | same                      |
 * | official-cbam   | `layer1.0.cbam.ChannelGate.mlp.1.weight` ... | same                      |
 * | timm            | `layer1.0.se.conv.weight` (ECA)              | `layer1.0.eca.conv.weight`|
 * | timm            | `se.fc1.weight` [C/r, C, 1, 1] (1x1 conv)    | `se.fc1.weight` [C/r, C]  |
 * | senet-pytorch   | `se.fc.0.weight`, `se.fc.2.weight` (no bias) | `se.fc1.weight`, `se.fc2.weight` |
 *
 * Every convention also drops DataParallel's `module.` prefix and ignores BatchNorm's
 * `num_batches_tracked` (PyTorch's step counter, unused in eval and by momentum-based training).
 */

export const STATE_DICT_CONVENTIONS = ['torchvision', 'official-eca', 'official-cbam', 'timm', 'senet-pytorch'] as const;

export type StateDictConvention = (typeof STATE_DICT_CONVENTIONS)[number];

const DATA_PARALLEL_PREFIX = 'module.';

const TIMM_ECA = /(^|\.)se\.conv\.weight$/;
const TIMM_SE = /(^|\.)se\.fc[12]\.(weight|bias)$/;
const SENET_PYTORCH_SE = /(^|\.)se\.fc\.([02])\.(weight|bias)$/;
const OFFICIAL_ECA = /(^|\.)eca\./;
const OFFICIAL_CBAM = /(^|\.)cbam\./;

/** A file key translated to our name. */
export interface MappedKey {
  /** Our canonical name. */
  name: string;
  /**
   * The file stores a 1x1 conv where we declare a Linear: the file's shape is ours plus
   * trailing [1, 1] (same data order, so a reshape, not a transpose).
   */
  squeezeTrailingUnitDims: boolean;
}

/**
 * Which convention a set of state-dict keys follows, judged from the attention keys: timm's
 * `se.conv.weight` / `se.fc1.*`, senet.pytorch's `se.fc.0.*`, official ECA's `.eca.`, official
 * CBAM's `.cbam.`; keys with no attention are `torchvision`.
 */
export function detectConvention(keys: Iterable<string>): StateDictConvention {
  const names = [...keys].map(stripDataParallelPrefix);
  if (names.some((key) => TIMM_ECA.test(key) || TIMM_SE.test(key))) return 'timm';
  if (names.some((key) => SENET_PYTORCH_SE.test(key))) return 'senet-pytorch';
  if (names.some((key) => OFFICIAL_ECA.test(key))) return 'official-eca';
  if (names.some((key) => OFFICIAL_CBAM.test(key))) return 'official-cbam';
  return 'torchvision';
}

/** `module.layer1.0.conv1.weight` -> `layer1.0.conv1.weight` (nested DataParallel too). */
export function stripDataParallelPrefix(key: string): string {
  while (key.startsWith(DATA_PARALLEL_PREFIX)) key = key.slice(DATA_PARALLEL_PREFIX.length);
  return key;
}

/** BatchNorm's step counter, which no attnkit model declares. */
export function isIgnoredKey(key: string): boolean {
  return key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked');
}

/** Our name for a file key (already stripped of `module.`) under `convention`. */
export function mapKey(key: string, convention: StateDictConvention): MappedKey {
  if (convention === 'timm') {
    if (TIMM_ECA.test(key)) return { name: key.replace(TIMM_ECA, '$1eca.conv.weight'), squeezeTrailingUnitDims: false };
    if (TIMM_SE.test(key)) return { name: key, squeezeTrailingUnitDims: key.endsWith('.weight') };
  }
  if (convention === 'senet-pytorch' && SENET_PYTORCH_SE.test(key)) {
    return {
      // nn.Sequential(Linear, ReLU, Linear, Sigmoid): index 0 is our fc1, index 2 our fc2.
      name: key.replace(SENET_PYTORCH_SE, (_match, start: string, index: string, kind: string) =>
        `${start}se.fc${index === '0' ? 1 : 2}.${kind}`,
      ),
      squeezeTrailingUnitDims: false,
    };
  }
  return { name: key, squeezeTrailingUnitDims: false };
}
