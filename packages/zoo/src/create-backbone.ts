import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type { Backbone } from './backbone.js';
import { type MobileNetV2Options, mobilenetV2 } from './mobilenet-v2.js';
import { type ResNetOptions, resnet18, resnet34, resnet50, resnet101, resnet152 } from './resnet.js';
import { createTimmResNet, TIMM_RESNETS, type TimmResNetName, type TimmResNetOptions } from './timm-resnet.js';

/** Every backbone by name: one explicit table from name to factory. */
const BACKBONES = {
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  mobilenet_v2: mobilenetV2,
  ...(Object.fromEntries(
    Object.keys(TIMM_RESNETS).map((name) => [name, (options: TimmResNetOptions = {}) => createTimmResNet(name as TimmResNetName, options)]),
  ) as Record<TimmResNetName, (options?: TimmResNetOptions) => Backbone>),
} as const;

export type BackboneName = keyof typeof BACKBONES;

/** Options of any backbone: ResNets take `width`, timm's ResNets also `stemWidth`, MobileNetV2 `widthMultiplier`. */
export type AnyBackboneOptions = ResNetOptions | TimmResNetOptions | MobileNetV2Options;

/** The backbone names, in table order: resnet18 ... resnet152, mobilenet_v2, then timm's (resnet10t ... seresnet152d). */
export function listBackbones(): BackboneName[] {
  return Object.keys(BACKBONES) as BackboneName[];
}

/**
 * `createBackbone('resnet50', { attention: { type: 'eca', kernelSize: [3, 5, 5, 7] } })`.
 * @throws AttnkitError UNKNOWN_BACKBONE listing the names; INVALID_OPTION for bad options.
 */
export function createBackbone(name: string, options: AnyBackboneOptions = {}): Backbone {
  if (!Object.hasOwn(BACKBONES, name)) {
    const known = listBackbones();
    throw new AttnkitError(ErrorCodes.UNKNOWN_BACKBONE, `unknown backbone '${name}'; backbones: ${known.join(', ')}`, { name, known });
  }
  return (BACKBONES[name as BackboneName] as (options: AnyBackboneOptions) => Backbone)(options);
}
