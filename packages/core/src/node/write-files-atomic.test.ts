import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttnkitError } from '../errors.js';
import { writeFileAtomic, writeFilesAtomic } from './write-files-atomic.js';

const root = mkdtempSync(join(tmpdir(), 'attnkit-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshFolder = (): string => {
  const folder = join(root, `case-${counter++}`);
  mkdirSync(folder);
  return folder;
};

async function thrown(promise: Promise<unknown>): Promise<AttnkitError> {
  try {
    await promise;
  } catch (error) {
    return error as AttnkitError;
  }
  throw new Error('expected a rejection');
}

describe('writeFilesAtomic', () => {
  it('writes every file, creating missing folders, and leaves no temporary', async () => {
    const folder = freshFolder();
    await writeFilesAtomic([
      { path: join(folder, 'a/b/model.json'), data: '{"x":1}' },
      { path: join(folder, 'a/b/weights.bin'), data: new Uint8Array([1, 2, 3]) },
    ]);
    expect(readdirSync(join(folder, 'a/b')).sort()).toEqual(['model.json', 'weights.bin']);
    expect([...readFileSync(join(folder, 'a/b/weights.bin'))]).toEqual([1, 2, 3]);
  });

  it('replaces an existing file whole', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'out.onnx'), 'old');
    await writeFileAtomic(join(folder, 'out.onnx'), 'new content');
    expect(readFileSync(join(folder, 'out.onnx'), 'utf8')).toBe('new content');
    expect(readdirSync(folder)).toEqual(['out.onnx']);
  });

  it('refuses a folder as the target (IO_ERROR) and leaves the folder as it was', async () => {
    const folder = freshFolder();
    mkdirSync(join(folder, 'name.onnx'));
    const error = await thrown(writeFileAtomic(join(folder, 'name.onnx'), 'x'));
    expect(error.code).toBe('IO_ERROR');
    expect(readdirSync(folder)).toEqual(['name.onnx']);
    expect(readdirSync(join(folder, 'name.onnx'))).toEqual([]);
  });

  it('a file in place of a folder gives IO_ERROR naming the path, and nothing is written', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'plain'), 'x');
    const error = await thrown(writeFileAtomic(join(folder, 'plain/model.onnx'), 'x'));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toContain(join(folder, 'plain/model.onnx'));
    expect(readdirSync(folder)).toEqual(['plain']);
  });

  it('a multi-file output whose second target cannot be replaced puts the first back (whole or nothing)', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'weights.bin'), 'old weights');
    mkdirSync(join(folder, 'model.json'));
    const error = await thrown(
      writeFilesAtomic([
        { path: join(folder, 'weights.bin'), data: 'new weights' },
        { path: join(folder, 'model.json'), data: '{}' },
      ]),
    );
    expect(error.code).toBe('IO_ERROR');
    expect(readFileSync(join(folder, 'weights.bin'), 'utf8')).toBe('old weights');
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('removes the folders it created when the write fails', async () => {
    const folder = freshFolder();
    const error = await thrown(
      writeFilesAtomic([
        { path: join(folder, 'new/x.bin'), data: 'x' },
        { path: join(folder, 'new/x.bin'), data: 'y' },
      ]),
    );
    expect(error.code).toBe('INVALID_OPTION');
    expect(readdirSync(folder)).toEqual([]);
  });
});

/**
 * A child process writes a large file through the writer; the test sends the signal as soon as the
 * temporary appears in the folder, then checks that the process ended by that signal, the old
 * target is intact and no temporary is left.
 */
describe.each(['SIGINT', 'SIGTERM'] as const)('an interrupted write (%s)', (signal) => {
  it('leaves the existing target intact and no temporary', async () => {
    const folder = freshFolder();
    const target = join(folder, 'big.bin');
    writeFileSync(target, 'previous');
    // The child runs the built entry (Node 20 cannot import .ts); `pnpm test` builds before testing.
    const writer = fileURLToPath(new URL('../../dist/node/index.js', import.meta.url));
    if (!existsSync(writer)) throw new Error(`${writer} is missing: run 'pnpm build' first ('pnpm test' does)`);
    const script = `import { writeFileAtomic } from ${JSON.stringify(writer)};
      process.stdout.write('ready\\n');
      await writeFileAtomic(${JSON.stringify(target)}, new Uint8Array(512 * 2 ** 20).fill(7));
      process.stdout.write('finished\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, by) => done({ code, signal: by })));
    watcher.close();
    expect(stdout).not.toContain('finished');
    expect(ended.signal).toBe(signal);
    expect(readFileSync(target, 'utf8')).toBe('previous');
    expect(readdirSync(folder)).toEqual(['big.bin']);
    expect(existsSync(join(folder, 'big.bin'))).toBe(true);
  }, 60_000);
});
