import type { Shape } from './tensor.js';

/**
 * How a parameter is laid out in PyTorch, so adapters know how to transpose it:
 * - `conv2d`: OIHW `[out, in/groups, kh, kw]` (tfjs: HWIO; depthwise: `[kh, kw, C, 1]`)
 * - `conv1d`: `[out, in/groups, k]` (the channel conv of ECA: `[1, 1, k]` or `[C, 1, k]`)
 * - `linear`: `[out, in]` (tfjs: `[in, out]`)
 * - `vector`: 1-D, per channel (biases, BatchNorm weight/bias/statistics)
 * - `channels`: `[1, C, 1, 1]`, a per-channel tensor that broadcasts against NCHW (GCT's alpha)
 *   (tfjs: `[1, 1, 1, C]`, broadcasting against NHWC)
 */
export type ParamLayout = 'conv2d' | 'conv1d' | 'linear' | 'vector' | 'channels';

/**
 * Initializers, as PyTorch's defaults draw them. `fanIn` is `in/groups * prod(kernel)` for convs
 * and `in` for linear layers.
 * - `kaiming-uniform`: PyTorch's default for Conv/Linear weights (`a = sqrt(5)`), i.e.
 *   U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 * - `kaiming-normal-fan-out`: torchvision's ResNet conv init, N(0, sqrt(2 / fanOut)).
 * - `uniform`: U(-bound, bound), e.g. biases with bound 1/sqrt(fanIn).
 * - `normal`: N(mean, std), e.g. torchvision's MobileNetV2 classifier N(0, 0.01).
 * - `constant`: every element equal to `value` (BatchNorm weight 1, bias 0, running stats).
 */
export type Initializer =
  | { kind: 'kaiming-uniform'; fanIn: number }
  | { kind: 'kaiming-normal-fan-out'; fanOut: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'normal'; mean?: number; std: number }
  | { kind: 'constant'; value: number };

/** A parameter (or buffer) with its PyTorch name relative to its module, shape and init. */
export interface ParamSpec {
  /** PyTorch state-dict name relative to the owning module, e.g. `conv.weight`. */
  name: string;
  shape: Shape;
  layout: ParamLayout;
  init: Initializer;
  /** false for buffers such as BatchNorm running statistics (not counted as parameters). */
  trainable: boolean;
}
