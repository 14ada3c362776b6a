#!/usr/bin/env node
/**
 * Fails (exit 1) when a package imports across the lines of DESIGN.md "Dependencies between
 * packages", listing every violation as file:line:
 * - core imports nothing but its own relative files (no packages, no Node built-ins outside its
 *   Node-only entry src/node/: the main entry runs in browsers);
 * - attention-module packages (package.json `"attnkit": { "kind": "module" }`: eca, se, cbam,
 *   and every module added the same way) import only @attnkit/core; zoo also fflate (zip
 *   reading for .pth checkpoints);
 * - image imports only @attnkit/core and fast-png, and no Node built-ins (browsers);
 * - tfjs imports @attnkit/core and its runtime (@tensorflow/tfjs-*), onnx imports @attnkit/core and
 *   its runtime (onnxruntime-*, protobufjs); adapters never import each other, zoo or the modules;
 * - a relative import never leaves its package;
 * - package.json `dependencies`, `peerDependencies` and `optionalDependencies` follow the same
 *   rule (core has none).
 * Scanned: packages/<name>/src/**\/*.ts. Exempt: tests (`*.test.ts`, anything under a `test/`
 * folder), private packages (test utilities), and apps/ (apps may import everything).
 * Node built-ins (`node:fs`, ...) are a platform, not a package: allowed outside core.
 * An import of a package that package.json does not declare is printed as a warning.
 *
 * Usage: node tools/check-boundaries.mjs [repository root]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));

const core = '@attnkit/core';
/** What each package that is not a module package may import at run time, besides its own files. */
const rules = {
  core: { allowed: [], builtins: false, nodeEntry: 'src/node/', says: 'core imports nothing but its own files' },
  zoo: { allowed: [core, 'fflate'], builtins: true, says: 'zoo imports only @attnkit/core and fflate (the zip reader of .pth files)' },
  image: { allowed: [core, 'fast-png'], builtins: false, says: 'image imports only @attnkit/core and fast-png (its JPEG decoder is its own); no Node built-ins: it runs in browsers' },
  tfjs: { allowed: [core, /^@tensorflow\/tfjs(-[a-z0-9-]+)?$/], builtins: true, says: 'tfjs imports only @attnkit/core and @tensorflow/tfjs-*' },
  onnx: { allowed: [core, /^onnxruntime-[a-z0-9-]+$/, 'protobufjs'], builtins: true, says: 'onnx imports only @attnkit/core, onnxruntime-* and protobufjs' },
};

const isAllowed = (rule, name) => rule.allowed.some((a) => (typeof a === 'string' ? a === name : a.test(name)));
const builtins = new Set(builtinModules);
const isBuiltin = (specifier) => specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]);
/** `@scope/name/sub/path.js` -> `@scope/name`; `name/sub` -> `name`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Blanks out comments (keeping newlines, so offsets and line numbers survive) and records where
 * the string literals are, so `import` inside a comment or a string is not taken for an import.
 */
function scan(source) {
  let code = '';
  const strings = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        code += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      code += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      strings.push([i, j + 1]);
      code += source.slice(i, j + 1);
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, inString: (offset) => strings.some(([start, end]) => offset >= start && offset < end) };
}

const importPatterns = [
  // import x from 'y'; import { a } from 'y'; import type { T } from 'y'; export * from 'y'; import 'y'
  /\b(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s*)?(['"])([^'"\n]+)\1/g,
  // import('y'), require('y')
  /\b(?:import|require)\s*\(\s*(['"])([^'"\n]+)\1\s*[,)]/g,
];

/** Every static import/export-from/dynamic-import specifier of a file, with its line. */
export function findImports(source) {
  const { code, inString } = scan(source);
  const found = [];
  for (const pattern of importPatterns) {
    for (const match of code.matchAll(pattern)) {
      if (inString(match.index)) continue;
      const offset = match.index + match[0].lastIndexOf(match[2]);
      found.push({ specifier: match[2], line: code.slice(0, offset).split('\n').length });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test' && entry.name !== 'node_modules') yield* sourceFiles(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      yield path;
    }
  }
}

export function checkBoundaries(repository) {
  const violations = [];
  const warnings = [];
  const packagesDir = join(repository, 'packages');
  for (const name of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, name);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    const where = relative(repository, manifestPath);
    // A module package, whatever its name, follows the modules' rule.
    const rule = manifest.attnkit?.kind === 'module' ? { allowed: [core], builtins: true, says: `${name} (an attention module) imports only @attnkit/core` } : rules[name];
    if (rule === undefined) {
      violations.push(`${where}: no boundary rule for packages/${name}; add one to tools/check-boundaries.mjs (see DESIGN.md), or mark an attention-module package "attnkit": { "kind": "module" } in its package.json`);
      continue;
    }
    const declared = new Set();
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dependency of Object.keys(manifest[field] ?? {})) {
        declared.add(dependency);
        if (!isAllowed(rule, dependency)) violations.push(`${where}: ${field} has '${dependency}' (${rule.says})`);
      }
    }
    for (const file of sourceFiles(join(dir, 'src'))) {
      const at = relative(repository, file);
      for (const { specifier, line } of findImports(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.') || specifier.startsWith('/')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(dir + sep)) violations.push(`${at}:${line}: '${specifier}' leaves packages/${name} (import the package by name, within the rules)`);
        } else if (isBuiltin(specifier)) {
          const inNodeEntry = rule.nodeEntry !== undefined && relative(dir, file).startsWith(rule.nodeEntry);
          if (!rule.builtins && !inNodeEntry) violations.push(`${at}:${line}: '${specifier}' is a Node built-in (${rule.says}; it must run in browsers)`);
        } else {
          const dependency = packageOf(specifier);
          if (!isAllowed(rule, dependency)) violations.push(`${at}:${line}: '${specifier}' (${rule.says})`);
          else if (!declared.has(dependency)) warnings.push(`${at}:${line}: '${specifier}' is not declared in ${where}`);
        }
      }
    }
  }
  return { violations, warnings };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { violations, warnings } = checkBoundaries(root);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  if (violations.length > 0) {
    process.stderr.write(`check-boundaries: ${violations.length} import(s) across package boundaries (DESIGN.md "Dependencies between packages"):\n`);
    for (const violation of violations) process.stderr.write(`  ${violation}\n`);
    process.exit(1);
  }
  process.stdout.write('check-boundaries: every package imports within its lines\n');
}
