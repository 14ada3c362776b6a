#!/usr/bin/env node
/**
 * Writes the option tables and the module x backend support tables of the module READMEs
 * (the README.md of every package marked `"attnkit": { "kind": "module" }`) from the registry, between the markers
 * `<!-- generated:options -->` / `<!-- generated:support -->` and `<!-- /generated -->`.
 *
 * A module is supported on a backend when the backend implements every op its traced forward
 * uses. The reference and trace interpreters implement the whole `Ops` interface (the type
 * checker enforces it), as do tfjs (`tfjsOps(): Ops<tf.Tensor>`) and onnx (`translateOp` covers
 * every `OpName`); their test suites check each module against the reference interpreter.
 *
 * Reads the built packages: run `pnpm build` (or `npx tsup` in core and each module package) first.
 * Usage: node tools/gen-support-tables.mjs [--check]   (--check: exit 1 if a README is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { modulePackages } from './gen-module-wiring.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (dir) => import(pathToFileURL(join(root, dir, 'dist', 'index.js')).href);
const core = await load('packages/core');
const modules = modulePackages(root);
for (const { dir } of modules) await load(dir);

const { attentionNetwork, createAttention, listAttention, referenceOps, traceNetwork } = core;
const allOps = Object.keys(referenceOps).filter((op) => op !== 'shape');
const backends = { reference: allOps, trace: allOps, tfjs: allOps, onnx: allOps };
const exampleChannels = 256;

const cell = (value) => String(value).replaceAll('|', '\\|');
const json = (value) => `\`${JSON.stringify(value)}\``;

function optionsTable(definitions) {
  const rows = ['| module | option | type | default | description |', '|---|---|---|---|---|'];
  for (const d of definitions) {
    const entries = Object.entries(d.options);
    if (entries.length === 0) rows.push(`| \`${d.id}\` | (none) | | | |`);
    for (const [key, o] of entries) {
      const type = o.type === 'enum' ? o.values.map((v) => `'${v}'`).join(' \\| ') : o.type;
      rows.push(`| \`${d.id}\` | \`${key}\` | ${cell(type)} | ${json(o.default)} | ${cell(o.description)} |`);
    }
  }
  return rows.join('\n');
}

function supportTable(definitions) {
  const names = Object.keys(backends);
  const rows = [
    `| module | parameters at C = ${exampleChannels} | k at C = ${exampleChannels} | ops | ${names.join(' | ')} |`,
    `|---|---|---|---|${names.map(() => '---').join('|')}|`,
  ];
  for (const d of definitions) {
    const instance = createAttention(d.id, exampleChannels);
    const graph = traceNetwork(attentionNetwork(d.id, exampleChannels, [1, exampleChannels, 7, 7]));
    const ops = [...new Set(graph.nodes.map((n) => n.op))];
    const marks = names.map((b) => (ops.every((op) => backends[b].includes(op)) ? 'yes' : 'no'));
    rows.push(`| \`${d.id}\` | ${instance.parameterCount.toLocaleString('en-US')} | ${instance.config.kernelSize ?? '-'} | ${ops.join(', ')} | ${marks.join(' | ')} |`);
  }
  return rows.join('\n');
}

function replaceBlock(text, kind, body, file) {
  const start = `<!-- generated:${kind} -->`;
  const end = '<!-- /generated -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from === -1 || to === -1) throw new Error(`${file}: missing ${start} ... ${end}`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

const check = process.argv.includes('--check');
let stale = 0;
for (const { dir, manifest } of modules) {
  const file = join(root, dir, 'README.md');
  const definitions = listAttention().filter((d) => d.package === manifest.name);
  const before = readFileSync(file, 'utf8');
  let after = replaceBlock(before, 'options', optionsTable(definitions), file);
  after = replaceBlock(after, 'support', supportTable(definitions), file);
  if (after === before) continue;
  if (check) {
    process.stderr.write(`${relative(root, file)}: tables are stale; run node tools/gen-support-tables.mjs\n`);
    stale++;
  } else {
    writeFileSync(file, after);
    process.stdout.write(`wrote ${relative(root, file)}\n`);
  }
}
if (stale > 0) process.exit(1);
