import type { BenchResults, CellResult } from './bench-results.js';
import { paperThroughput } from './paper-results.js';

/**
 * Two small SVG charts written by hand (no chart dependency): latency against parameters, one
 * bubble per model and module on each backend (the shape of the paper's Figure 1), and the
 * attention overhead per backend beside the paper's GPU throughput cost.
 */

const palette: Record<string, string> = { none: '#6b7280', eca: '#dc2626', se: '#2563eb', cbam: '#16a34a' };
const extraColors = ['#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function colorOf(attention: string, all: string[]): string {
  const base = attention.split('{')[0];
  return palette[base] ?? extraColors[Math.max(0, all.indexOf(attention)) % extraColors.length];
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

/** 1-2-5 ticks covering [min, max]. */
function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
  return ticks.filter((t) => t >= min / 1.0001 && t <= max * 1.0001);
}

const formatTick = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? String(Number(v.toFixed(1))) : String(Number(v.toPrecision(2))));

/**
 * The cells the charts draw: one per model and module on a backend, so the smallest batch and the
 * fewest threads each backend ran (the report's tables have the others).
 */
function measured(results: BenchResults): CellResult[] {
  const ran = results.cells.filter((c) => c.status === 'ok' && c.latencyMs !== null && c.variant !== 'predict');
  const fewest = (backend: string, key: 'threads' | 'batchSize') => Math.min(...ran.filter((c) => c.backend === backend).map((c) => c[key]));
  return ran.filter((c) => c.threads === fewest(c.backend, 'threads') && c.batchSize === fewest(c.backend, 'batchSize'));
}

/**
 * One panel per backend: x = parameters (binary M, log scale), y = median latency (ms, log
 * scale), bubble area proportional to thop-style FLOPs; one bubble per (model, module).
 */
export function renderLatencyBubbleChart(results: BenchResults): string {
  const cells = measured(results).filter((c) => c.costs !== null);
  const backends = [...new Set(cells.map((c) => c.backend))];
  const attentions = [...new Set(cells.map((c) => c.attention))];
  const panelWidth = 360;
  const panelHeight = 300;
  const margin = { left: 64, right: 16, top: 56, bottom: 48 };
  const width = Math.max(1, backends.length) * (panelWidth + margin.left + margin.right);
  const height = panelHeight + margin.top + margin.bottom + 28;
  const parts: string[] = [];
  parts.push(text(12, 22, 'Latency against parameters (one bubble per model and module; area ~ thop FLOPs)', 'font-size="15" font-weight="bold"'));
  if (cells.length === 0) parts.push(text(12, 60, 'no measured cells', 'font-size="13"'));
  const maxFlops = Math.max(1, ...cells.map((c) => c.costs!.flops));
  backends.forEach((backend, b) => {
    const panel = cells.filter((c) => c.backend === backend);
    const x0 = b * (panelWidth + margin.left + margin.right) + margin.left;
    const y0 = margin.top;
    const params = panel.map((c) => c.costs!.parametersBinaryM);
    const latencies = panel.map((c) => c.latencyMs!.median);
    const [pMin, pMax] = [Math.min(...params) / 1.5, Math.max(...params) * 1.5];
    const [lMin, lMax] = [Math.min(...latencies) / 1.5, Math.max(...latencies) * 1.5];
    const sx = (v: number) => x0 + ((Math.log(v) - Math.log(pMin)) / (Math.log(pMax) - Math.log(pMin) || 1)) * panelWidth;
    const sy = (v: number) => y0 + panelHeight - ((Math.log(v) - Math.log(lMin)) / (Math.log(lMax) - Math.log(lMin) || 1)) * panelHeight;
    parts.push(`<g class="panel" data-backend="${escapeXml(backend)}">`);
    parts.push(`<rect x="${x0}" y="${y0}" width="${panelWidth}" height="${panelHeight}" fill="#fafafa" stroke="#d1d5db"/>`);
    parts.push(text(x0, y0 - 10, backend, 'font-size="13" font-weight="bold"'));
    for (const t of logTicks(pMin, pMax)) {
      parts.push(`<line x1="${sx(t).toFixed(1)}" y1="${y0 + panelHeight}" x2="${sx(t).toFixed(1)}" y2="${y0 + panelHeight + 4}" stroke="#6b7280"/>`);
      parts.push(text(sx(t), y0 + panelHeight + 16, formatTick(t), 'font-size="10" text-anchor="middle"'));
    }
    for (const t of logTicks(lMin, lMax)) {
      parts.push(`<line x1="${x0}" y1="${sy(t).toFixed(1)}" x2="${x0 + panelWidth}" y2="${sy(t).toFixed(1)}" stroke="#e5e7eb"/>`);
      parts.push(text(x0 - 6, sy(t) + 3, formatTick(t), 'font-size="10" text-anchor="end"'));
    }
    parts.push(text(x0 + panelWidth / 2, y0 + panelHeight + 34, 'parameters (M, binary: /1024^2)', 'font-size="11" text-anchor="middle"'));
    parts.push(text(x0 - 48, y0 + panelHeight / 2, 'median latency (ms)', `font-size="11" text-anchor="middle" transform="rotate(-90 ${x0 - 48} ${y0 + panelHeight / 2})"`));
    for (const c of panel) {
      const r = 5 + 22 * Math.sqrt(c.costs!.flops / maxFlops);
      const cx = sx(c.costs!.parametersBinaryM);
      const cy = sy(c.latencyMs!.median);
      parts.push(
        `<circle class="bubble" data-model="${escapeXml(c.model)}" data-attention="${escapeXml(c.attention)}" data-backend="${escapeXml(c.backend)}" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" fill="${colorOf(c.attention, attentions)}" fill-opacity="0.45" stroke="${colorOf(c.attention, attentions)}"><title>${escapeXml(`${c.model} + ${c.attention} on ${c.backend}: ${c.latencyMs!.median.toFixed(2)} ms, ${c.costs!.parametersBinaryM.toFixed(2)} M params, ${c.costs!.flopsBinaryG.toFixed(3)} GFLOPs`)}</title></circle>`,
      );
      parts.push(text(cx + r + 2, cy + 3, `${c.model} ${c.attention}`, 'font-size="9" fill="#374151"'));
    }
    parts.push('</g>');
  });
  parts.push(legend(attentions, 12, height - 14));
  return svgDocument(width, height, parts);
}

function legend(attentions: string[], x: number, y: number): string {
  return `<g class="legend">${attentions
    .map((a, i) => `<rect x="${x + i * 110}" y="${y - 9}" width="10" height="10" fill="${colorOf(a, attentions)}"/>${text(x + i * 110 + 14, y, a, 'font-size="11"')}`)
    .join('')}</g>`;
}

/**
 * Grouped bars: for each backend and model, the latency overhead of each module over the plain
 * network, with its 95% interval; the paper's GPU throughput cost (ResNet-50) as the last group.
 */
export function renderOverheadChart(results: BenchResults): string {
  const cells = measured(results).filter((c) => c.overhead !== null);
  const attentions = [...new Set(cells.map((c) => c.attention))];
  const groups = [...new Set(cells.map((c) => `${c.backend}|${c.model}`))];
  const paperModules = Object.keys(paperThroughput.costPercent).filter((a) => attentions.includes(a));
  const bars: Array<{ group: string; attention: string; value: number; low?: number; high?: number; paper?: boolean }> = [];
  for (const g of groups) {
    for (const a of attentions) {
      const c = cells.find((cell) => `${cell.backend}|${cell.model}` === g && cell.attention === a);
      if (c?.overhead) bars.push({ group: g, attention: a, value: c.overhead.percent, low: c.overhead.ci95Percent[0], high: c.overhead.ci95Percent[1] });
    }
  }
  const paperGroup = `paper|${paperThroughput.hardware}`;
  for (const a of paperModules) bars.push({ group: paperGroup, attention: a, value: paperThroughput.costPercent[a], paper: true });
  const allGroups = [...groups, ...(paperModules.length ? [paperGroup] : [])];
  const barWidth = 18;
  const groupWidth = Math.max(1, attentions.length) * barWidth + 36;
  const margin = { left: 64, right: 20, top: 48, bottom: 86 };
  const plotHeight = 280;
  const plotWidth = Math.max(1, allGroups.length) * groupWidth;
  const width = plotWidth + margin.left + margin.right;
  const height = plotHeight + margin.top + margin.bottom;
  const values = bars.flatMap((b) => [b.value, b.low ?? b.value, b.high ?? b.value]);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(1, ...values));
  const [vMin, vMax] = [ticks[0], ticks[ticks.length - 1]];
  const sy = (v: number) => margin.top + plotHeight - ((v - vMin) / (vMax - vMin || 1)) * plotHeight;
  const parts: string[] = [];
  parts.push(text(12, 22, 'Overhead of each module over the plain network, per backend (latency, %; paper: throughput cost on GPUs)', 'font-size="15" font-weight="bold"'));
  for (const t of ticks) {
    parts.push(`<line x1="${margin.left}" y1="${sy(t).toFixed(1)}" x2="${margin.left + plotWidth}" y2="${sy(t).toFixed(1)}" stroke="${t === 0 ? '#111827' : '#e5e7eb'}"/>`);
    parts.push(text(margin.left - 6, sy(t) + 3, `${formatTick(t)}%`, 'font-size="10" text-anchor="end"'));
  }
  allGroups.forEach((g, gi) => {
    const [backend, model] = g.split('|');
    const gx = margin.left + gi * groupWidth + 18;
    attentions.forEach((a, ai) => {
      const bar = bars.find((b) => b.group === g && b.attention === a);
      if (!bar) return;
      const x = gx + ai * barWidth;
      const top = sy(Math.max(0, bar.value));
      const h = Math.abs(sy(bar.value) - sy(0));
      const color = colorOf(a, attentions);
      parts.push(
        `<rect class="${bar.paper ? 'paper-bar' : 'bar'}" data-group="${escapeXml(g)}" data-attention="${escapeXml(a)}" x="${x}" y="${top.toFixed(1)}" width="${barWidth - 3}" height="${Math.max(0.5, h).toFixed(1)}" fill="${color}" fill-opacity="${bar.paper ? 0.35 : 0.8}" stroke="${color}"><title>${escapeXml(`${g.replace('|', ' ')} ${a}: ${bar.value.toFixed(2)}%`)}</title></rect>`,
      );
      if (bar.low !== undefined && bar.high !== undefined) {
        const cx = x + (barWidth - 3) / 2;
        parts.push(`<line x1="${cx}" y1="${sy(bar.low).toFixed(1)}" x2="${cx}" y2="${sy(bar.high).toFixed(1)}" stroke="#111827"/>`);
      }
    });
    const labelX = gx + (attentions.length * barWidth) / 2;
    parts.push(text(labelX, margin.top + plotHeight + 16, backend, 'font-size="10" text-anchor="middle" font-weight="bold"'));
    parts.push(text(labelX, margin.top + plotHeight + 30, model, 'font-size="10" text-anchor="middle"'));
  });
  parts.push(legend(attentions, 12, height - 14));
  return svgDocument(width, height, parts);
}

function svgDocument(width: number, height: number, parts: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
