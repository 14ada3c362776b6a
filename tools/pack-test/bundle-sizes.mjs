#!/usr/bin/env node
/**
 * Prints each public package's browser bundle size as esbuild builds it (`--bundle
 * --platform=browser --minify`, ESM) from the built dist/ of every entry (not the Node-only
 * `/node` ones), everything it exports kept: first with the other attnkit packages and the peers
 * (tfjs, onnxruntime) external, then with the attnkit code it uses bundled (peers still
 * external). Minified bytes and gzip -9 bytes.
 *
 * Usage: node tools/pack-test/bundle-sizes.mjs   (after `pnpm build`)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rows = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  const peers = Object.keys(manifest.peerDependencies ?? {});
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || subpath === './node') continue; // ./package.json; Node-only entries
    const entry = `${manifest.name}${subpath.slice(1)}`;
    const size = async (external) => {
      const result = await esbuild.build({
        stdin: { contents: `export * from ${JSON.stringify(target.import.default)};`, resolveDir: dir, loader: 'js' },
        bundle: true,
        platform: 'browser',
        format: 'esm',
        minify: true,
        write: false,
        external,
        logLevel: 'silent',
      });
      const bytes = result.outputFiles[0].contents;
      return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    };
    rows.push({ entry, own: await size(['@attnkit/*', ...peers]), withDeps: await size(peers) });
  }
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log('| entry | min | gzip | min, with the attnkit code it uses | gzip, with the attnkit code it uses |');
console.log('|---|---:|---:|---:|---:|');
for (const { entry, own, withDeps } of rows) console.log(`| \`${entry}\` | ${kb(own.min)} | ${kb(own.gzip)} | ${kb(withDeps.min)} | ${kb(withDeps.gzip)} |`);
