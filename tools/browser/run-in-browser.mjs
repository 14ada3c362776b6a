/**
 * Runs a TypeScript/JavaScript module in headless Chromium and returns what it computed.
 *
 * The entry default-exports an async function `(args) => result`. It is bundled with Vite
 * (workspace packages resolve through the `@attnkit/source` export condition, so no package needs a
 * build), served on 127.0.0.1 with cross-origin isolation (COOP/COEP, so WebAssembly threads
 * work) next to the wasm folders of onnxruntime-web (`/ort/`) and tfjs-backend-wasm
 * (`/tfjs-wasm/`), and called in a fresh page. The result comes back as JSON (typed arrays
 * become plain arrays); console errors, page errors and the web workers the page started come
 * back beside it.
 *
 *   const browser = await createBrowserSession();       // one Chromium per test file
 *   const { result } = await browser.run({ entry, args });
 *   await browser.close();                               // browser, server, temp dirs
 *
 * `runInBrowser({ entry })` does all three for a single run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';

const INSTALL_HINT = 'install chromium: apt-get install -y chromium';

/** Flags that work in containers without a GPU, a sandbox or a network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** URL prefix -> package folder served there, found from the entry's node_modules upward. */
const DEFAULT_STATIC_PACKAGES = {
  '/ort/': 'onnxruntime-web/dist',
  '/tfjs-wasm/': '@tensorflow/tfjs-backend-wasm/dist',
};

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.onnx': 'application/octet-stream',
};

/**
 * The Chromium binary: `$CHROMIUM_PATH` when set, else `chromium` / `chromium-browser` on PATH.
 * @throws Error "install chromium: apt-get install -y chromium" when there is none.
 */
export function findChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (isAbsolute(configured) && existsSync(configured)) return configured;
    throw new Error(`CHROMIUM_PATH is ${JSON.stringify(configured)}, which is not an existing absolute path; ${INSTALL_HINT} (or point CHROMIUM_PATH at a Chromium binary)`);
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    const path = found.status === 0 ? found.stdout.trim() : '';
    if (isAbsolute(path) && existsSync(path)) return path;
  }
  throw new Error(`no Chromium found (neither chromium nor chromium-browser is on PATH); ${INSTALL_HINT}`);
}

/**
 * Launches one headless Chromium and one static server; `run()` builds an entry (cached per
 * entry path) and calls it in a new page, so each run gets a fresh JS realm (onnxruntime-web's
 * thread count, tfjs's backend) while storage (IndexedDB, localStorage) persists across runs of
 * the session.
 *
 * @param {{ launchTimeoutMs?: number, staticDirs?: Record<string, string> }} [options]
 *   staticDirs: extra URL prefix -> absolute folder mappings (e.g. `{ '/fixtures/': dir }`).
 */
export async function createBrowserSession(options = {}) {
  const executablePath = findChromium();
  const { chromium } = await import('playwright-core');
  const tempRoot = mkdtempSync(join(tmpdir(), 'attnkit-browser-'));
  const userDataDir = join(tempRoot, 'profile');
  const routes = new Map(Object.entries(options.staticDirs ?? {}).map(([prefix, dir]) => [prefix, resolve(dir)]));
  const builds = new Map();
  let context;
  let server;
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    await context?.close().catch(() => {});
    if (server) await new Promise((done) => server.close(() => done()));
    rmSync(tempRoot, { recursive: true, force: true });
  };

  try {
    server = await startServer(routes);
    const origin = `http://127.0.0.1:${server.address().port}`;
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: options.launchTimeoutMs ?? 20_000,
      });
    } catch (cause) {
      throw new Error(`Chromium at ${executablePath} did not start: ${firstLine(cause)}; ${INSTALL_HINT} (or fix the installed one)`, { cause });
    }

    const build = async (entry) => {
      if (!builds.has(entry)) {
        const name = `b${builds.size}`;
        const pending = buildEntry(entry, join(tempRoot, name)).then((result) => {
          addPackageRoutes(routes, dirname(entry));
          routes.set(`/${name}/`, result.outDir);
          return { ...result, url: `${origin}/${name}/index.html` };
        });
        pending.catch(() => builds.delete(entry));
        builds.set(entry, pending);
      }
      return builds.get(entry);
    };

    /**
     * @param {{ entry: string, args?: unknown, timeoutMs?: number }} run
     * @returns {Promise<{ result: any, consoleErrors: string[], console: string[], workers: string[],
     *   crossOriginIsolated: boolean, timings: { buildMs: number, loadMs: number, runMs: number } }>}
     */
    const run = async ({ entry, args, timeoutMs = 30_000 }) => {
      if (closed) throw new Error('the browser session is closed');
      if (typeof entry !== 'string' || !isAbsolute(entry) || !existsSync(entry)) {
        throw new Error(`entry must be the absolute path of an existing .ts/.js module, got ${JSON.stringify(entry)}`);
      }
      const started = performance.now();
      const built = await build(resolve(entry));
      const buildMs = performance.now() - started;

      const page = await context.newPage();
      const consoleErrors = [];
      const messages = [];
      const workers = [];
      page.on('console', (message) => {
        // A failed request's message does not name the URL; its location does.
        const where = message.location()?.url;
        const text = message.text().startsWith('Failed to load resource') && where ? `${message.text()}: ${where}` : message.text();
        messages.push(`[${message.type()}] ${text}`);
        if (message.type() === 'error') consoleErrors.push(text);
      });
      page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.stack ?? error.message}`));
      page.on('worker', (worker) => workers.push(worker.url()));
      const context_ = () => (messages.length ? `\nconsole:\n  ${messages.slice(-20).join('\n  ')}` : '');
      try {
        const loadStarted = performance.now();
        await withTimeout(page.goto(built.url, { waitUntil: 'load', timeout: timeoutMs }), timeoutMs, () => `loading ${entry}${context_()}`);
        const loadMs = performance.now() - loadStarted;
        const runStarted = performance.now();
        const outcome = await withTimeout(
          page.evaluate(async (input) => {
            await window.__attnkitReady;
            return window.__attnkitRun(input);
          }, args ?? null),
          Math.max(1, timeoutMs - loadMs),
          () => `running ${entry}${context_()}`,
        );
        const runMs = performance.now() - runStarted;
        if (!outcome.ok) {
          const error = new Error(`${entry} threw in the browser: ${outcome.error.stack || outcome.error.message}${context_()}`);
          error.browserError = outcome.error;
          error.consoleErrors = consoleErrors;
          throw error;
        }
        const crossOriginIsolated = await page.evaluate(() => window.crossOriginIsolated);
        return {
          result: outcome.value,
          consoleErrors,
          console: messages,
          workers,
          crossOriginIsolated,
          timings: { buildMs, loadMs, runMs },
        };
      } finally {
        await page.close().catch(() => {});
      }
    };

    return { run, close, origin };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One browser launch, one run, everything closed and removed afterwards (also on failure). */
export async function runInBrowser({ entry, args, timeoutMs = 60_000, staticDirs }) {
  const session = await createBrowserSession({ staticDirs });
  try {
    return await session.run({ entry, args, timeoutMs });
  } finally {
    await session.close();
  }
}

async function buildEntry(entry, dir) {
  const { build, defaultClientConditions } = await import('vite');
  const outDir = join(dir, 'dist');
  mkdirSync(dir, { recursive: true });
  // The bootstrap catches everything so a failing entry rejects with its own message and stack
  // instead of an opaque evaluate() error; typed arrays are turned into plain arrays for JSON.
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>attnkit browser test</title><link rel="icon" href="data:,"></head>' +
      '<body><script type="module" src="./bootstrap.js"></script></body></html>',
    { flag: 'w' },
  );
  writeFileSync(
    join(dir, 'bootstrap.js'),
    `import run from ${JSON.stringify(relativeImport(dir, entry))};
const plain = (value) => JSON.parse(JSON.stringify(value, (_key, v) =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v, (x) => (typeof x === 'bigint' ? Number(x) : x)) : v));
window.__attnkitRun = async (args) => {
  try {
    const value = plain(await run(args));
    window.__result = value;
    return { ok: true, value };
  } catch (error) {
    const details = { name: error?.name, message: String(error?.message ?? error), stack: error?.stack, code: error?.code };
    window.__error = details;
    return { ok: false, error: details };
  }
};
window.__attnkitReady = Promise.resolve();
`,
  );
  try {
    await build({
      configFile: false,
      root: dir,
      base: './',
      logLevel: 'error',
      resolve: { conditions: ['@attnkit/source', ...defaultClientConditions] },
      build: {
        outDir,
        emptyOutDir: true,
        target: 'esnext',
        minify: false,
        sourcemap: false,
        reportCompressedSize: false,
        modulePreload: false,
        chunkSizeWarningLimit: 100_000,
        rollupOptions: { input: join(dir, 'index.html') },
      },
    });
  } catch (cause) {
    throw new Error(`vite could not bundle ${entry}: ${cause?.message ?? cause}`, { cause });
  }
  return { outDir };
}

/** Serves the runtime wasm folders the entry's package can see (its node_modules, upward). */
function addPackageRoutes(routes, fromDir) {
  for (const [prefix, packagePath] of Object.entries(DEFAULT_STATIC_PACKAGES)) {
    if (routes.has(prefix)) continue;
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', packagePath);
      if (existsSync(candidate)) {
        routes.set(prefix, candidate);
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
}

function startServer(routes) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    const file = resolveFile(routes, path);
    if (file === undefined) {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      response.end(`not found: ${path}`);
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

function resolveFile(routes, path) {
  for (const [prefix, dir] of routes) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return undefined;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

function withTimeout(promise, ms, describe) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${Math.round(ms)} ms ${describe()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A `./`-relative specifier: Vite reads a leading `/` as relative to its root. */
function relativeImport(fromDir, file) {
  const path = relative(fromDir, file).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}
