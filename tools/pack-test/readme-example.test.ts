import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readmeExample } from './readme-example.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('readmeExample', () => {
  test('reads the install lines (env prefixes, flags and comments left out), the example and its documented values', () => {
    const readme = [
      '# x',
      '```sh',
      'ONNXRUNTIME_NODE_INSTALL=skip npm install @attnkit/core onnxruntime-node   # or onnxruntime-web',
      'pnpm add -D @attnkit/eca',
      '```',
      '## Example',
      '```ts',
      "import { f } from '@attnkit/core';",
      'console.log(f()); // => [ 1, 2 ]',
      'console.log(await g());',
      '```',
    ].join('\n');
    expect(readmeExample(readme)).toEqual({
      installs: ['@attnkit/core', 'onnxruntime-node', '@attnkit/eca'],
      code: "import { f } from '@attnkit/core';\nconsole.log(f()); // => [ 1, 2 ]\nconsole.log(await g());\n",
      expectations: ['[ 1, 2 ]', undefined],
      topLevelAwait: true,
    });
  });

  test('a README without an install line or an example says which is missing', () => {
    expect(() => readmeExample('# x\n## Example\n```ts\n```\n')).toThrowError('no ```sh block with the install line');
    expect(() => readmeExample('# x\n```sh\nnpm install a\n```\n')).toThrowError('no "## Example" section');
  });

  test.each(readdirSync(join(root, 'packages')))("packages/%s: the install line names every package the README example imports", (name) => {
    const { installs, code } = readmeExample(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'));
    const imported = [...code.matchAll(/(?:from|import)\s+'([^'.][^']*)'/g)].map(([, specifier]) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
    expect(imported.length).toBeGreaterThan(0);
    expect([...new Set(imported)].filter((p) => !installs.includes(p))).toEqual([]);
  });
});
