/**
 * How attnkit emits a zoo network for the ONNX runtime that will run it (`run`, `classify`, the
 * bench): ECA's channel conv banded on onnxruntime-node, where it is faster (MobileNetV2 -3.9%),
 * the 1 x k form on onnxruntime-web, where the banded form does not win. Exports keep the default.
 */
export const channelConvFor = (runtime: 'onnxruntime-node' | 'onnxruntime-web'): 'conv' | 'banded' => (runtime === 'onnxruntime-node' ? 'banded' : 'conv');
