/**
 * The example of each package README runs as written, against the built packages, and prints
 * what its `// => ...` comments say, line by line. Examples are TypeScript: they are
 * transpiled with the workspace's TypeScript, then run by node from apps/cli, which depends on
 * every package.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageDir, requireBuilt } from './test-support.js';

const cli = fileURLToPath(new URL('..', import.meta.url));

describe.each(['core', 'eca', 'se', 'cbam', 'zoo', 'image', 'tfjs', 'onnx'])('packages/%s/README.md example', (name) => {
  it('runs with node and prints its // => comments', () => {
    requireBuilt(`${packageDir(name)}dist/index.js`);
    const readme = readFileSync(`${packageDir(name)}README.md`, 'utf8');
    const example = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'a ```ts block under ## Example').toBeDefined();
    const expected = [...example!.matchAll(/\/\/ => (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(0);
    const { outputText } = ts.transpileModule(example!, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    const run = spawnSync(process.execPath, ['--input-type=module'], { cwd: cli, input: outputText, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
