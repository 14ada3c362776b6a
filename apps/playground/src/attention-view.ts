/**
 * "See the attention": the sample image through a zoo network with seeded weights (or weights
 * dropped as .safetensors), on core's reference interpreter. Per stage, a chart of each block's
 * channel weights (ECA, SE, CBAM's channel gate); CBAM's spatial map over the image; k at every
 * insertion point.
 */
import { type AttentionSpec, type WeightMap, initializeWeights, listAttention, traceNetwork } from '@attnkit/core';
import { createBackbone, listBackbones } from '@attnkit/zoo';
import type { PlaygroundConfig } from './browser-bench-config.js';
import { type ModuleGates, attentionGates } from './attention-gates.js';
import { drawSampleImage, imageTensor } from './sample-image.js';
import { element, labelled, table } from './dom.js';

const colors = ['#dc2626', '#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** One stage: x = channel, y = weight in [0, 1], one line per block. */
export function channelGateChart(stage: string, modules: readonly ModuleGates[]): string {
  const width = 340;
  const height = 180;
  const left = 34;
  const bottom = 28;
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - 24;
  const lines = modules.map((module, i) => {
    const gate = module.channelGate as Float32Array;
    const step = plotWidth / Math.max(1, gate.length - 1);
    const points = Array.from(gate, (v, c) => `${(left + c * step).toFixed(1)},${(24 + (1 - v) * plotHeight).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="1.2" points="${points}"><title>${module.path}: k ${module.kernelSize ?? '-'}</title></polyline>`;
  });
  const channels = modules[0]?.channels ?? 0;
  const legend = modules.map((m, i) => `<tspan fill="${colors[i % colors.length]}">${m.path}${m.kernelSize ? ` k${m.kernelSize}` : ''} </tspan>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${stage}: channel weights of ${modules.length} blocks over ${channels} channels" font-size="10" font-family="system-ui, sans-serif">
<text x="${left}" y="12" font-weight="bold">${stage} (${channels} channels)</text>
<line x1="${left}" y1="24" x2="${left}" y2="${24 + plotHeight}" stroke="#9ca3af"/><line x1="${left}" y1="${24 + plotHeight}" x2="${width - 8}" y2="${24 + plotHeight}" stroke="#9ca3af"/>
<text x="4" y="28">1.0</text><text x="4" y="${24 + plotHeight / 2 + 3}">0.5</text><text x="4" y="${24 + plotHeight}">0.0</text>
<line x1="${left}" y1="${24 + plotHeight / 2}" x2="${width - 8}" y2="${24 + plotHeight / 2}" stroke="#e5e7eb"/>
${lines.join('\n')}
<text x="${left}" y="${height - 14}">channel 0 … ${channels - 1}</text><text x="${left}" y="${height - 3}">${legend}</text>
</svg>`;
}

/** The spatial map upsampled over the image, red where the gate is high. */
function spatialOverlay(image: HTMLCanvasElement, map: NonNullable<ModuleGates['spatialMap']>, title: string): HTMLElement {
  const canvas = element('canvas', { width: image.width, height: image.height });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}: spatial attention over the sample image`);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.drawImage(image, 0, 0);
  const cellWidth = image.width / map.width;
  const cellHeight = image.height / map.height;
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      context.fillStyle = `rgba(220, 38, 38, ${(0.75 * map.data[y * map.width + x]).toFixed(3)})`;
      context.fillRect(x * cellWidth, y * cellHeight, cellWidth, cellHeight);
    }
  }
  return element('figure', {}, canvas, element('figcaption', { textContent: title }));
}

export interface AttentionView {
  /** Weights loaded from a dropped .safetensors for this backbone and spec, used instead of the seeded ones. */
  useWeights(weights: WeightMap | undefined, label: string): void;
}

export function createAttentionView(root: HTMLElement, config: () => PlaygroundConfig): AttentionView {
  const backbone = element('select');
  for (const name of listBackbones()) backbone.add(new Option(name, name));
  const module = element('select');
  for (const definition of listAttention()) module.add(new Option(definition.id, definition.id, false, definition.id === 'eca'));
  const size = element('input', { type: 'number', value: '112', min: '32', max: '224', step: '16' });
  const show = element('button', { type: 'button', textContent: 'Show the attention' });
  const status = element('p', { className: 'note' });
  status.setAttribute('role', 'status');
  const image = element('div', { className: 'sample' });
  const kernelTable = element('div');
  const charts = element('div', { className: 'stage-charts' });
  const maps = element('div', { className: 'stage-charts' });
  root.append(
    element('p', {}, 'The sample image below is drawn by the page. With seeded (untrained) weights the gates show the mechanics, not learned features; drop a .safetensors in section 4 to see trained ones.'),
    element('div', { className: 'row' }, labelled('attention-backbone', 'Backbone', backbone), labelled('attention-module', 'Module', module), labelled('attention-size', 'Image size (px)', size), show),
    status,
    image,
    charts,
    maps,
    kernelTable,
  );
  let loaded: { weights: WeightMap; label: string } | undefined;

  show.addEventListener('click', () => {
    status.textContent = 'Running on the reference interpreter…';
    show.disabled = true;
    // Let the status paint before the synchronous reference run.
    setTimeout(() => {
      try {
        render();
      } catch (error) {
        status.textContent = `${(error as { code?: string }).code ?? 'Error'}: ${(error as Error).message}`;
      } finally {
        show.disabled = false;
      }
    }, 20);
  });

  type ModelEntry = string | { backbone?: string; options?: Record<string, unknown> } | undefined;
  const firstModel = () => (config().models ?? [])[0] as ModelEntry;
  const configured = firstModel();
  backbone.value = (typeof configured === 'string' ? configured : configured?.backbone) ?? 'resnet18';

  function render() {
    const model = firstModel();
    const pixels = Number(size.value) || 112;
    const canvas = drawSampleImage(pixels);
    const placement = typeof model === 'object' ? model.options?.placement : undefined;
    const spec: AttentionSpec = (config().attention ?? []).find((a) => (typeof a === 'string' ? a : (a as { type: string }).type) === module.value) as AttentionSpec ?? module.value;
    const network = createBackbone(backbone.value, { attention: spec, ...(placement ? { placement: placement as 'residual' } : {}) });
    const graph = traceNetwork(network, [1, 3, pixels, pixels]);
    const weights = loaded?.weights ?? initializeWeights(graph, config().seed ?? 0);
    const started = performance.now();
    const { gates } = attentionGates(network, weights, imageTensor(canvas));
    status.textContent = `${gates.length} insertion points, ${loaded ? `weights from ${loaded.label}` : `seeded weights (seed ${config().seed ?? 0})`}, ${((performance.now() - started) / 1000).toFixed(1)} s on the reference interpreter`;
    image.replaceChildren(element('figure', {}, canvas, element('figcaption', { textContent: `sample image, ${pixels} x ${pixels}` })));
    const stages = new Map<string, ModuleGates[]>();
    for (const gate of gates) {
      const key = gate.stage === undefined ? 'stage ?' : `stage ${gate.stage + 1}`;
      stages.set(key, [...(stages.get(key) ?? []), gate]);
    }
    charts.innerHTML = [...stages].filter(([, list]) => list.some((g) => g.channelGate)).map(([stage, list]) => `<figure>${channelGateChart(stage, list.filter((g) => g.channelGate))}</figure>`).join('');
    maps.replaceChildren(...[...stages].flatMap(([stage, list]) => list.filter((g) => g.spatialMap).slice(-1).map((g) => spatialOverlay(canvas, g.spatialMap!, `${stage}, ${g.path}: ${g.spatialMap!.height} x ${g.spatialMap!.width} map`))));
    const rows = gates.map((g) => [g.path, g.id, g.stage === undefined ? '' : String(g.stage + 1), String(g.channels), g.kernelSize === undefined ? '-' : String(g.kernelSize)]);
    kernelTable.replaceChildren(table('k at each insertion point', ['insertion point', 'module', 'stage', 'channels', 'k'], rows, 'kernel-sizes'));
  }

  return {
    useWeights(weights, label) {
      loaded = weights ? { weights, label } : undefined;
    },
  };
}
