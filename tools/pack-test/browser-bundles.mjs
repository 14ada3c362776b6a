/**
 * Browser bundling of the installed tarballs with no bundler configuration of ours: the page in
 * browser/ (every public package imported) is bundled from a fresh npm project by esbuild
 * (`--platform=browser`, no externals: the only peers installed are tfjs-core, -layers and
 * -backend-cpu), Vite and webpack 5; each must report no error and no warning. The esbuild bundle
 * then runs in Chromium and computes docs/paper.md's ECA check on tfjs cpu.
 *
 * The only options set are where files go and, for Vite and webpack, their size advisories
 * (tfjs alone is over their default limits, which says nothing about bundling correctly).
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../browser/run-in-browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The values the page must compute (docs/paper.md section 1 and 3; the emitter's default opset). */
const EXPECTED = {
  backend: { backend: 'cpu', simd: false, threads: false, version: '4.22.0' },
  ecaFirst8: [0, 0.04937986, 0.09826633, 0.14617096, 0.19261509, 0.23713468, 0.27928489, 0.31864458],
  resnet50Eca: 25_557_118,
  cbamParameters: 680,
  onnxOpsets: [
    { domain: '', version: 17 },
    { domain: 'ai.attnkit', version: 1 },
  ],
  modules: ['bam', 'cbam', 'ceca', 'coordatt', 'eca', 'eca-ns', 'ecam', 'ese', 'gc', 'gct', 'ge', 'lcbam', 'se', 'se-var1', 'se-var2', 'se-var3', 'simam'],
  top1: [{ index: 1, label: 'goldfish', probability: 0.6 }],
};

/** Packages a user's browser project installs for the page (peers of @attnkit/tfjs it uses). */
export const BROWSER_PROJECT_PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'];

/** @returns {Promise<string[]>} failures */
export async function checkBrowserBundles(project) {
  const app = join(project, 'app');
  mkdirSync(app, { recursive: true });
  for (const file of ['page.mjs', 'entry.mjs', 'index.html']) copyFileSync(join(here, 'browser', file), join(app, file));
  const failures = [];
  const outcomes = {};
  for (const [name, bundle] of Object.entries({ esbuild: bundleWithEsbuild, vite: bundleWithVite, webpack: bundleWithWebpack })) {
    try {
      const { errors, warnings } = await bundle(app, join(project, `out-${name}`));
      outcomes[name] = { errors: errors.length, warnings: warnings.length };
      if (errors.length > 0 || warnings.length > 0) failures.push(`${name}: ${errors.length} error(s), ${warnings.length} warning(s):\n${[...errors, ...warnings].join('\n')}`);
    } catch (error) {
      failures.push(`${name} failed: ${error?.message ?? error}`);
    }
  }
  console.log(`browser bundles: ${JSON.stringify(outcomes)}`);
  try {
    const result = await runInChromium(join(project, 'out-esbuild'));
    failures.push(...compareResult(result));
    console.log(`esbuild bundle in Chromium: ECA on tfjs ${result.backend.backend} ${result.backend.version}, first outputs match docs/paper.md to ${maxAbsDiff(result.ecaFirst8, EXPECTED.ecaFirst8).toExponential(1)}; ECA-ResNet-50 ${result.resnet50Eca} parameters`);
  } catch (error) {
    failures.push(`the esbuild bundle in Chromium: ${error?.message ?? error}`);
  }
  return failures;
}

async function bundleWithEsbuild(app, outdir) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(app, 'entry.mjs')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    outdir,
    outExtension: { '.js': '.mjs' }, // index.html loads ./entry.mjs
    logLevel: 'silent',
  });
  copyFileSync(join(app, 'index.html'), join(outdir, 'index.html'));
  const messages = (list) => list.map((m) => `${m.location?.file ?? ''}:${m.location?.line ?? ''} ${m.text}`);
  return { errors: messages(result.errors), warnings: messages(result.warnings) };
}

async function bundleWithVite(app, outDir) {
  const { build, createLogger } = await import('vite');
  const errors = [];
  const warnings = [];
  const logger = createLogger('info', { allowClearScreen: false });
  const quiet = { ...logger, info: () => {}, warn: (message) => warnings.push(message), warnOnce: (message) => warnings.push(message), error: (message) => errors.push(message) };
  await build({
    configFile: false,
    root: app,
    logLevel: 'warn',
    customLogger: quiet,
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 100_000, reportCompressedSize: false },
  });
  return { errors, warnings };
}

async function bundleWithWebpack(app, outputPath) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((done, fail) =>
    webpack({ mode: 'production', context: app, entry: './entry.mjs', output: { path: outputPath }, performance: { hints: false } }, (error, result) => (error ? fail(error) : done(result))),
  );
  const json = stats.toJson({ all: false, errors: true, warnings: true });
  const text = (m) => `${m.moduleName ?? ''} ${m.message}`;
  return { errors: json.errors.map(text), warnings: json.warnings.map(text) };
}

async function runInChromium(outdir) {
  const { chromium } = await import('playwright-core');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };
  const server = createServer((request, response) => {
    const path = normalize(join(outdir, new URL(request.url ?? '/', 'http://x').pathname));
    let body;
    try {
      body = path.startsWith(outdir + sep) ? readFileSync(path) : undefined;
    } catch {
      body = undefined;
    }
    response.writeHead(body ? 200 : 404, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    response.end(body ?? 'not found');
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`, { timeout: 60_000 });
    const outcome = await page.evaluate(() => window.__attnkitOutcome, undefined, { timeout: 120_000 });
    if (!outcome.ok) throw new Error(`the page threw: ${outcome.error}`);
    if (consoleErrors.length > 0) throw new Error(`console errors: ${consoleErrors.join('\n')}`);
    return outcome.value;
  } finally {
    await browser.close();
    await new Promise((done) => server.close(done));
  }
}

function compareResult(result) {
  const failures = [];
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(result.backend, EXPECTED.backend)) failures.push(`useBackend('cpu') in Chromium reported ${JSON.stringify(result.backend)}, expected ${JSON.stringify(EXPECTED.backend)}`);
  if (!(maxAbsDiff(result.ecaFirst8, EXPECTED.ecaFirst8) < 1e-6)) failures.push(`ECA's first outputs in Chromium are ${result.ecaFirst8}, docs/paper.md says ${EXPECTED.ecaFirst8}`);
  for (const key of ['resnet50Eca', 'cbamParameters', 'onnxOpsets', 'modules', 'top1']) {
    if (!same(result[key], EXPECTED[key])) failures.push(`${key} in Chromium is ${JSON.stringify(result[key])}, expected ${JSON.stringify(EXPECTED[key])}`);
  }
  return failures;
}

function maxAbsDiff(a, b) {
  if (!Array.isArray(a) || a.length !== b.length) return Number.POSITIVE_INFINITY;
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}
