import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, defaultClientConditions, defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The runtimes' WebAssembly files, served from one fixed folder of the site (`wasm/ort/`,
 * `wasm/tfjs/`) and handed to onnxruntime-web (`env.wasm.wasmPaths`) and tfjs-backend-wasm
 * (`setWasmPaths`). `ort-wasm-simd-threaded` is onnxruntime-web's wasm-only build; the
 * `.asyncify` one is the build `onnxruntime-web/webgpu` loads.
 */
export const wasmFolders = {
  'wasm/ort/': {
    from: dirname(require.resolve('onnxruntime-web')),
    files: /^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/,
  },
  'wasm/tfjs/': {
    from: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
    files: /^tfjs-backend-wasm.*\.wasm$/,
  },
};

/** COOP/COEP: the page is cross-origin isolated, so SharedArrayBuffer and wasm threads work. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Copies the wasm folders into the build and serves them in dev/preview. A few lines of our own:
 * the copy plugins on npm do not set the wasm MIME type and COEP headers in dev.
 */
function runtimeWasmFiles(): Plugin {
  const serve: Plugin['configureServer'] = (server) => {
    server.middlewares.use((request, response, next) => {
      const path = (request.url ?? '').split('?')[0].replace(/^\//, '');
      for (const [prefix, folder] of Object.entries(wasmFolders)) {
        const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
        if (name && folder.files.test(name) && existsSync(join(folder.from, name))) {
          response.setHeader('Content-Type', extname(name) === '.wasm' ? 'application/wasm' : 'text/javascript');
          for (const [key, value] of Object.entries(isolationHeaders)) response.setHeader(key, value);
          createReadStream(join(folder.from, name)).pipe(response);
          return;
        }
      }
      next();
    });
  };
  return {
    name: 'attnkit-runtime-wasm-files',
    configureServer: serve,
    writeBundle(options) {
      const outDir = options.dir ?? join(here, 'dist');
      for (const [prefix, folder] of Object.entries(wasmFolders)) {
        mkdirSync(join(outDir, prefix), { recursive: true });
        for (const name of readdirSync(folder.from).filter((n) => folder.files.test(n))) cpSync(join(folder.from, name), join(outDir, prefix, name));
      }
    },
  };
}

/**
 * The CLI's bench engine, statistics, targets, charts and config schema run in the page as they
 * are. Four of its modules reach for Node (os, fs, onnxruntime-node, dynamic imports by package
 * name): the page substitutes browser modules with the same exports for exactly those four.
 */
const cliBench = resolve(here, '../cli/src/bench');
const cliSubstitutes = new Map([
  [join(cliBench, 'backends/backend-table.ts'), join(here, 'src/cli-substitutes/backend-table.ts')],
  [join(cliBench, 'backends/package-apis.ts'), join(here, 'src/cli-substitutes/package-apis.ts')],
  [join(cliBench, 'environment.ts'), join(here, 'src/cli-substitutes/environment.ts')],
  [join(cliBench, 'machine-limit.ts'), join(here, 'src/cli-substitutes/machine-limit.ts')],
]);

function cliBrowserSubstitutes(): Plugin {
  return {
    name: 'attnkit-cli-browser-substitutes',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || !importer.startsWith(cliBench)) return null;
      return cliSubstitutes.get(resolve(dirname(importer), source).replace(/\.js$/, '.ts')) ?? null;
    },
  };
}

/** Versions of the runtimes the page bundles, for the results' environment. */
function runtimeVersions(): Record<string, string> {
  const names = ['onnxruntime-web', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'];
  return Object.fromEntries(
    names.map((name) => {
      // onnxruntime-web exports no package.json: walk up from its entry.
      let directory = dirname(require.resolve(name));
      while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
      return [name, JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version as string];
    }),
  );
}

/**
 * Node built-ins that our own browser code reaches only on Node paths (see src/node-builtins/):
 * the CLI's config module and @attnkit/tfjs's wasm discovery. Other packages keep their own
 * `browser` field mappings.
 */
const workspace = resolve(here, '../..');
function nodeBuiltinsForWorkspaceCode(): Plugin {
  return {
    name: 'attnkit-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      const name = /^(?:node:)?(fs|path|module)$/.exec(source)?.[1];
      if (!name || !importer || importer.includes('node_modules') || !importer.startsWith(workspace)) return null;
      return join(here, 'src/node-builtins', `${name}.ts`);
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [runtimeWasmFiles(), cliBrowserSubstitutes(), nodeBuiltinsForWorkspaceCode()],
  resolve: {
    // onnxruntime-web's entries without embedded wasm URLs: the page serves its wasm from wasm/ort/.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  define: {
    ATTNKIT_RUNTIME_VERSIONS: JSON.stringify(runtimeVersions()),
    // The bench engine samples the process's resident memory; the page reports the JS heap.
    'process.memoryUsage.rss': 'globalThis.attnkitHeapBytes',
  },
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // tfjs-backend-wasm starts its threads from a worker built from its own function's source
    // text, which refers to names around it: minified (mangled or compressed), the worker fails
    // with "e is not defined" / "_scriptDir is not defined". The page ships unminified (gzip
    // takes most of the difference).
    minify: false,
    reportCompressedSize: true,
  },
  worker: { format: 'es' },
});
