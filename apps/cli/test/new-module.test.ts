/**
 * Adding an attention module takes one package folder: in a temporary copy of the repository,
 * a throwaway module package is added (definition, README, and its golden case: a PyTorch
 * reference.py and the cases.json tools/golden/make_golden_modules.py wrote from it, committed as a
 * contributor would after running the driver, since CI has no PyTorch), the wiring regenerated
 * (tools/gen-module-wiring.mjs), installed (pnpm, offline) and built, and the new module shows in
 * `attnkit modules`, the counts, tfjs and ONNX exports that run and agree, the bench config schema,
 * and the catalog conformance suite, which finds its golden case through the registry and checks
 * it on tfjs cpu and wasm, onnxruntime-node and one training step, with no file edited by hand
 * outside its folder. The files the addition touched are counted (ATTNKIT_REPORT=1 prints them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt } from './test-support.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const temporary = mkdtempSync(join(tmpdir(), 'attnkit-new-module-'));
const copy = join(temporary, 'repo');
// The copy holds a whole install: removing it takes longer than vitest's default hook timeout.
afterAll(() => rmSync(temporary, { recursive: true, force: true }), 300_000);
const run = (command: string, args: string[], cwd = copy): string => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
const git = (...args: string[]): string => run('git', ['-c', 'user.name=attnkit-test', '-c', 'user.email=test@attnkit.invalid', ...args]);
const attnkit = (...args: string[]): string => run(process.execPath, [join(copy, 'apps/cli/dist/main.js'), ...args]);

/**
 * The throwaway module, written as CONTRIBUTING.md says: package.json, tsconfig.json and
 * tsup.config.ts like packages/se's (so the test follows the repository's current conventions),
 * and a gate of one weight per channel, out = x * sigmoid(w * GAP(x)), C parameters.
 */
const template = JSON.parse(readFileSync(join(repository, 'packages/se/package.json'), 'utf8'));
if (template.repository?.directory) template.repository = { ...template.repository, directory: 'packages/throwaway' };
const golden = (file: string) => readFileSync(new URL(`./fixtures/throwaway-golden/${file}`, import.meta.url), 'utf8');
const moduleFiles: Record<string, string> = {
  'golden/reference.py': golden('reference.py'),
  'golden/cases.json': golden('cases.json'),
  'package.json': `${JSON.stringify({ ...template, name: '@attnkit/throwaway', description: 'A throwaway attention module (test only).', dependencies: { '@attnkit/core': 'workspace:*' }, devDependencies: {} }, null, 2)}\n`,
  'tsconfig.json': readFileSync(join(repository, 'packages/se/tsconfig.json'), 'utf8'),
  'tsup.config.ts': readFileSync(join(repository, 'packages/se/tsup.config.ts'), 'utf8'),
  'README.md': '# @attnkit/throwaway\n\nA throwaway module for the one-folder test.\n\n<!-- generated:options -->\n<!-- /generated -->\n\n<!-- generated:support -->\n<!-- /generated -->\n',
  'src/index.ts': `import { type AttentionOptions, defineAttention, registerAttention } from '@attnkit/core';

export const throwaway = defineAttention({
  id: 'throwaway',
  package: '@attnkit/throwaway',
  description: 'x * sigmoid(w * GAP(x)): one weight per channel (test only)',
  attributeName: 'gate',
  options: {},
  configure: () => ({}),
  parameters: (channels) => [{ name: 'weight', shape: [channels, 1, 1], layout: 'conv1d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 1 } }],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p.weight, 'zeros'))),
  testCases: [{ label: 'throwaway', options: {}, channels: 16, trainable: 16, nonTrainable: 0 }],
});

declare module '@attnkit/core' {
  interface AttentionTypes {
    throwaway: AttentionOptions<typeof throwaway>;
  }
}

registerAttention(throwaway);
`,
};

/** Copies the working tree's files (as git lists them) and the built dist folders. */
function copyRepository(): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repository, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    // The golden fixtures (6 MB) are not read by anything this test runs.
    if (file.startsWith('tools/golden/fixtures/') || !existsSync(join(repository, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repository, file), join(copy, file));
  }
  // Every package the CLI may load (the support tables load every module package).
  const packages = readdirSync(join(repository, 'packages')).map((name) => `packages/${name}`).filter((dir) => existsSync(join(repository, dir, 'package.json')));
  for (const dir of packages) {
    requireBuilt(join(repository, dir, 'dist', 'index.js'));
    cpSync(join(repository, dir, 'dist'), join(copy, dir, 'dist'), { recursive: true });
  }
}

describe('a new attention module is one package folder', () => {
  let touched: string[] = [];

  beforeAll(() => {
    copyRepository();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    for (const [file, text] of Object.entries(moduleFiles)) {
      mkdirSync(dirname(join(copy, 'packages/throwaway', file)), { recursive: true });
      writeFileSync(join(copy, 'packages/throwaway', file), text);
    }
    // What a contributor runs (CONTRIBUTING.md): regenerate the wiring, link, build.
    run(process.execPath, ['tools/gen-module-wiring.mjs']);
    // Not frozen even where CI=true makes that pnpm's default: the new package changes the lockfile.
    run('pnpm', ['install', '--offline', '--no-frozen-lockfile', '--config.confirmModulesPurge=false']);
    run('pnpm', ['--filter', '@attnkit/throwaway', '--filter', '@attnkit/cli', 'run', 'build']);
    run(process.execPath, ['tools/gen-support-tables.mjs']);
    git('add', '-A');
    touched = git('diff', '--cached', '--name-only', 'HEAD').trim().split('\n');
    if (process.env.ATTNKIT_REPORT) console.log(`a new module touched ${touched.length} files:\n${touched.join('\n')}`);
  }, 900_000);

  it('touches its own folder and only generated files elsewhere', () => {
    const outside = touched.filter((file) => !file.startsWith('packages/throwaway/'));
    // Written by tools/gen-module-wiring.mjs (and pnpm install: the lockfile), nothing by hand.
    expect(outside.sort()).toEqual([
      '.changeset/config.json',
      'apps/cli/package.json',
      'apps/cli/src/all-modules.ts',
      'apps/cli/tsconfig.json',
      'packages/onnx/package.json',
      'packages/onnx/test/all-modules.ts',
      'packages/onnx/tsconfig.json',
      'packages/tfjs/package.json',
      'packages/tfjs/test/all-modules.ts',
      'packages/tfjs/tsconfig.json',
      'pnpm-lock.yaml',
      'tsconfig.json',
    ]);
    expect(touched.filter((file) => file.startsWith('packages/throwaway/')).sort()).toEqual(
      ['README.md', 'golden/cases.json', 'golden/reference.py', 'package.json', 'src/index.ts', 'tsconfig.json', 'tsup.config.ts'].map((file) => `packages/throwaway/${file}`),
    );
  });

  it('is listed by attnkit modules', () => {
    const modules = JSON.parse(attnkit('modules', '--json')) as Array<{ id: string; package: string }>;
    expect(modules).toContainEqual(expect.objectContaining({ id: 'throwaway', package: '@attnkit/throwaway' }));
  });

  it('is counted: one weight per channel of each of ResNet-18’s 8 blocks', () => {
    const plain = JSON.parse(attnkit('count', 'resnet18', '--json'));
    const withModule = JSON.parse(attnkit('count', 'resnet18', '--attention', 'throwaway', '--json'));
    // C = 64, 64, 128, 128, 256, 256, 512, 512: 1,920 parameters.
    expect(withModule.parameters - plain.parameters).toBe(1920);
  });

  it('exports to tfjs and ONNX, whose runs agree', () => {
    const network = ['resnet18', '--attention', 'throwaway', '--width', '8', '--input-size', '32', '--num-classes', '10', '--json'];
    const tfjsExport = JSON.parse(attnkit('export', ...network, '--format', 'tfjs', '-o', join(copy, 'out-tfjs')));
    const onnxExport = JSON.parse(attnkit('export', ...network, '--format', 'onnx', '-o', join(copy, 'out.onnx')));
    for (const exported of [tfjsExport, onnxExport]) expect(exported.insertions.map((i: { id: string }) => i.id)).toEqual(Array(8).fill('throwaway'));
    const tfjsRun = JSON.parse(attnkit('run', join(copy, 'out-tfjs', 'model.json'), '--backend', 'tfjs-cpu', '--seed', '1', '--iterations', '1', '--json'));
    const onnxRun = JSON.parse(attnkit('run', join(copy, 'out.onnx'), '--backend', 'onnx-node', '--seed', '1', '--iterations', '1', '--json'));
    expect(onnxRun.output).toHaveLength(10);
    expect(Math.max(...tfjsRun.output.map((v: number, i: number) => Math.abs(v - onnxRun.output[i])))).toBeLessThan(1e-4);
  });

  it('is checked against its golden case by the catalog conformance suite (tfjs cpu and wasm, onnxruntime-node, one SGD step)', () => {
    const report = join(temporary, 'conformance.json');
    // The suite's own test that every registered module has golden cases, and the throwaway's.
    run('pnpm', ['exec', 'vitest', 'run', '--project', '@attnkit/cli', 'apps/cli/test/catalog-conformance.test.ts', '-t', 'throwaway|every registered module', '--reporter=json', `--outputFile=${report}`]);
    const results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }> }).testResults.flatMap((file) => file.assertionResults);
    const ran = results.filter((test) => test.status !== 'skipped' && test.status !== 'pending');
    expect(ran.map((test) => test.status)).toEqual(Array(ran.length).fill('passed'));
    expect(ran.map((test) => test.fullName.replace(/:.*/, '')).sort()).toEqual(
      [
        'every registered module package has golden/cases.json, and every registered module has golden cases there',
        'onnxruntime-node throwaway-1-n2-c16-h5w7',
        'tfjs cpu throwaway-1-n2-c16-h5w7',
        'tfjs wasm throwaway-1-n2-c16-h5w7',
        'training on tfjs cpu throwaway-1-n2-c16-h5w7',
        'training on tfjs wasm throwaway-1-n2-c16-h5w7',
      ].sort(),
    );
  }, 600_000);

  it("is in the bench config's attention schema", () => {
    expect(attnkit('bench', '--print-schema')).toContain('"throwaway"');
  });

  it('is refused by the wiring check (pnpm test) while its golden case is missing', () => {
    const fixture = join(copy, 'packages/throwaway/golden/cases.json');
    const text = readFileSync(fixture, 'utf8');
    rmSync(fixture);
    try {
      const check = spawnSync(process.execPath, ['tools/gen-module-wiring.mjs', '--check'], { cwd: copy, encoding: 'utf8' });
      expect(check.status).toBe(1);
      expect(check.stderr).toContain('packages/throwaway: no golden/cases.json');
    } finally {
      writeFileSync(fixture, text);
    }
    expect(run(process.execPath, ['tools/gen-module-wiring.mjs', '--check'])).toBe('');
  });

  it('gets its README tables generated', () => {
    expect(run('git', ['show', ':packages/throwaway/README.md'])).toContain('| `throwaway` | 256 |');
  });
});
