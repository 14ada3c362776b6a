/**
 * The release flow on a scratch copy of the workspace manifests and .changeset/ (no git needed):
 * `changeset version` must bump the fixed group of public packages together, version the CLI on
 * its own, leave the private tools alone and write each changeset into the CHANGELOGs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const changesetBin = join(root, 'node_modules/@changesets/cli/bin.js');
const libraries = readdirSync(join(root, 'packages')).map((name) => `packages/${name}`);
const workspaceDirs = [...libraries, 'apps/cli', 'tools'];
const fixed: string[] = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')).fixed[0];

const scratches: string[] = [];
afterEach(() => {
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Copies the manifests, the workspace file and .changeset/ (with `changesets` in place of the repo's own when given). */
function scratchCopy(changesets?: Record<string, string>): string {
  const scratch = mkdtempSync(join(tmpdir(), 'attnkit-release-'));
  scratches.push(scratch);
  for (const file of ['package.json', 'pnpm-workspace.yaml']) copyFileSync(join(root, file), join(scratch, file));
  mkdirSync(join(scratch, '.changeset'));
  for (const file of readdirSync(join(root, '.changeset'))) {
    if (changesets === undefined || !file.endsWith('.md') || file === 'README.md') copyFileSync(join(root, '.changeset', file), join(scratch, '.changeset', file));
  }
  for (const [name, text] of Object.entries(changesets ?? {})) writeFileSync(join(scratch, '.changeset', name), text);
  for (const dir of workspaceDirs) {
    mkdirSync(join(scratch, dir), { recursive: true });
    copyFileSync(join(root, dir, 'package.json'), join(scratch, dir, 'package.json'));
  }
  return scratch;
}

function changesetVersion(scratch: string) {
  const run = spawnSync(process.execPath, [changesetBin, 'version'], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
}

const manifest = (scratch: string, dir: string) => JSON.parse(readFileSync(join(scratch, dir, 'package.json'), 'utf8'));
const changelog = (scratch: string, dir: string) => readFileSync(join(scratch, dir, 'CHANGELOG.md'), 'utf8');
const dirOf = (name: string) => workspaceDirs.find((dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name === name)!;

describe('changeset version', () => {
  test('a minor change to one package bumps the whole fixed group; a CLI patch bumps the CLI alone; tools stay', () => {
    const scratch = scratchCopy({
      'eca-thing.md': '---\n"@attnkit/eca": minor\n---\n\nECA gains a thing.\n',
      'cli-fix.md': '---\n"@attnkit/cli": patch\n---\n\nThe CLI fixes a thing.\n',
    });
    const before = manifest(scratch, 'packages/eca').version;
    changesetVersion(scratch);
    const [major, minor] = before.split('.').map(Number);
    const bumped = major === 0 ? `0.${minor + 1}.0` : `${major}.${minor + 1}.0`;
    for (const dir of libraries) expect(manifest(scratch, dir).version, dir).toBe(bumped);
    expect(fixed.map((name) => manifest(scratch, dirOf(name)).version)).toEqual(fixed.map(() => bumped));
    const cliBefore = JSON.parse(readFileSync(join(root, 'apps/cli/package.json'), 'utf8')).version.split('.').map(Number);
    expect(manifest(scratch, 'apps/cli').version).toBe(`${cliBefore[0]}.${cliBefore[1]}.${cliBefore[2] + 1}`);
    expect(manifest(scratch, 'tools').version).toBe(JSON.parse(readFileSync(join(root, 'tools/package.json'), 'utf8')).version);
    expect(existsSync(join(scratch, 'tools/CHANGELOG.md'))).toBe(false);

    expect(changelog(scratch, 'packages/eca')).toBe(`# @attnkit/eca\n\n## ${bumped}\n\n### Minor Changes\n\n- ECA gains a thing.\n\n### Patch Changes\n\n- @attnkit/core@${bumped}\n`);
    expect(changelog(scratch, 'packages/core')).toBe(`# @attnkit/core\n\n## ${bumped}\n`);
    const cli = changelog(scratch, 'apps/cli');
    expect(cli).toContain('### Patch Changes\n\n- The CLI fixes a thing.\n- Updated dependencies\n');
    expect(cli).toContain(`  - @attnkit/eca@${bumped}\n`);
    // Internal ranges stay workspace:* (pnpm pack writes the version).
    expect(manifest(scratch, 'packages/eca').dependencies['@attnkit/core']).toBe('workspace:*');
    // The consumed changesets are gone.
    expect(readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
  }, 60_000);

  test("the repository's own changesets version cleanly: one version for the fixed group, each summary in its packages' CHANGELOGs", () => {
    const scratch = scratchCopy();
    const pending = readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pending.length).toBeGreaterThan(0);
    changesetVersion(scratch);
    const versions = new Set(fixed.map((name) => manifest(scratch, dirOf(name)).version));
    expect(versions.size).toBe(1);
    expect([...versions][0]).not.toBe('0.0.0');
    for (const file of pending) {
      const text = readFileSync(join(root, '.changeset', file), 'utf8');
      const [, front, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text)!;
      const firstLine = body.trim().split('\n')[0];
      for (const [, name] of front.matchAll(/^"([^"]+)":/gm)) {
        expect(changelog(scratch, dirOf(name)), `${file} in ${name}`).toContain(firstLine);
      }
    }
  }, 60_000);
});
