/**
 * The ECA-Net paper's printed numbers (docs/paper.md section 5), shown beside ours. Parameters and
 * FLOPs are in the paper's binary units (divided by 1024^2 and 1024^3); FLOPs are thop-style.
 */
export interface PaperRow {
  /** Parameters in binary millions, as printed ("24.37"). */
  parametersBinaryM?: number;
  /** FLOPs in binary giga, as printed ("3.86"; MobileNetV2's "319.4M" is 0.3119). */
  flopsBinaryG?: number;
  /** As printed, for the report. */
  flopsPrinted?: string;
  top1?: number;
}

export const paperModels: Record<string, Record<string, PaperRow>> = {
  resnet50: {
    none: { top1: 75.2, parametersBinaryM: 24.37, flopsBinaryG: 3.86, flopsPrinted: '3.86G' },
    se: { top1: 76.71, parametersBinaryM: 26.77, flopsBinaryG: 3.87, flopsPrinted: '3.87G' },
    cbam: { top1: 77.34, parametersBinaryM: 26.77, flopsBinaryG: 3.87, flopsPrinted: '3.87G' },
    eca: { top1: 77.48, parametersBinaryM: 24.37, flopsBinaryG: 3.86, flopsPrinted: '3.86G' },
  },
  resnet101: {
    none: { top1: 76.83, parametersBinaryM: 42.49, flopsBinaryG: 7.34, flopsPrinted: '7.34G' },
    se: { top1: 77.62 },
    cbam: { top1: 78.49 },
    eca: { top1: 78.65 },
  },
  resnet152: { none: { top1: 77.58 }, se: { top1: 78.43 }, eca: { top1: 78.92 } },
  mobilenet_v2: {
    none: { top1: 71.64, parametersBinaryM: 3.34, flopsBinaryG: 319.4 / 1024, flopsPrinted: '319.4M' },
    se: { top1: 72.42 },
    eca: { top1: 72.56, parametersBinaryM: 3.34, flopsBinaryG: 319.9 / 1024, flopsPrinted: '319.9M' },
  },
};

/**
 * ResNet-50 inference throughput on 4x RTX 2080Ti (FPS) and the share of it each module costs:
 * plain 1855, SE 1620, CBAM 1213, ECA 1805.
 */
export const paperThroughput = {
  hardware: '4x RTX 2080Ti, ResNet-50',
  framesPerSecond: { none: 1855, se: 1620, cbam: 1213, eca: 1805 } as Record<string, number>,
  /** 1 - FPS / FPS(plain), as the paper states it. */
  costPercent: { eca: 2.7, se: 12.7, cbam: 34.6 } as Record<string, number>,
};

/** Our latency ratio as the paper's measure: the share of throughput lost, 1 - 1 / ratio. */
export function throughputCostPercent(latencyRatio: number): number {
  return (1 - 1 / latencyRatio) * 100;
}
