/**
 * Ctrl-C or a SIGTERM during `attnkit export`: the signal is sent the moment the first temporary
 * appears in the target folder (the writer is then mid-output), and the folder must hold the
 * earlier export exactly as it was, with no temporary left.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli, requireBuilt, temporaryDirectory } from './test-support.js';

const root = temporaryDirectory('attnkit-signal-');

describe.each(['SIGINT', 'SIGTERM'] as const)('attnkit export interrupted by %s', (signal) => {
  it('leaves the earlier export whole and no temporary', async () => {
    requireBuilt(builtCli);
    const folder = join(root, signal);
    mkdirSync(folder);
    writeFileSync(join(folder, 'model.json'), '{"earlier":true}');
    writeFileSync(join(folder, 'weights.bin'), 'earlier weights');
    // ResNet-50's ~100 MB of weights keep the writer busy long enough to be interrupted mid-output.
    const child = spawn(process.execPath, [builtCli, 'export', 'resnet50', '--format', 'tfjs', '-o', folder], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const watcher = watch(folder, () => {
      if (readdirSync(folder).some((name) => name.endsWith('.tmp'))) {
        watcher.close();
        child.kill(signal);
      }
    });
    const ended = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_, by) => done(by)));
    watcher.close();
    expect(stdout).not.toContain('wrote');
    expect(ended).toBe(signal);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    expect(readFileSync(join(folder, 'model.json'), 'utf8')).toBe('{"earlier":true}');
    expect(readFileSync(join(folder, 'weights.bin'), 'utf8')).toBe('earlier weights');
  }, 180_000);
});
