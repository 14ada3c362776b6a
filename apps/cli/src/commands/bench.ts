import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { type Command, Option } from 'commander';
import { printJson, runCommand } from '../cli-support.js';
import { type BenchBackendName, benchBackendNames, benchConfigJsonSchema, parseBenchConfig } from '../bench/bench-config.js';
import { checkBenchConfigLimits } from '../bench/bench-config-limits.js';
import { createProgressReporter } from '../bench/bench-progress.js';
import type { BenchResults } from '../bench/bench-results.js';
import { formatEcaVersusSe, formatMachineLimit, formatResultsTable, formatTargets } from '../bench/results-table.js';
import { type BenchPartial, type RunBenchmarkOptions, runBenchmark, runBenchmarkShare } from '../bench/run-benchmark.js';
import { defaultOutputDirectory, writeBenchResults } from '../bench/write-results.js';

/** bench.default.json at the root of the CLI package (from dist/ when built, src/commands/ in tests). */
export function defaultConfigPath(): string {
  for (const relative of ['../bench.default.json', '../../bench.default.json']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new AttnkitError(ErrorCodes.INVALID_CONFIG, 'bench.default.json is missing from the CLI package; give --config <file>', { issues: [{ path: '(file)', message: 'missing' }] });
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_CONFIG, `cannot read the bench config ${path}: ${(error as Error).message}`, {
      issues: [{ path: '(file)', message: (error as Error).message }],
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_CONFIG, `the bench config ${path} is not valid JSON: ${(error as Error).message}`, {
      issues: [{ path: '(file)', message: (error as Error).message }],
    });
  }
}

/** The built CLI (dist/main.js), which runs a child process's share of the cells. */
export function builtCliPath(): string | undefined {
  for (const relative of ['./main.js', '../../dist/main.js']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface BenchCommandOptions {
  config?: string;
  out?: string;
  json?: boolean;
  printSchema?: boolean;
  progress?: boolean;
  yes?: boolean;
  forceThreads?: boolean;
  check?: boolean;
  /** Internal: `<backend>@<threads>`, measure only that share and print it as JSON. */
  share?: string;
}

function parseShare(text: string): { backend: BenchBackendName; threads: number } {
  const [backend, threads] = text.split('@');
  if (!(benchBackendNames as readonly string[]).includes(backend) || !/^[1-9]\d*$/.test(threads ?? '')) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--share is '${text}'; expected <backend>@<threads>, e.g. onnx-wasm@2 (backends: ${benchBackendNames.join(', ')})`, { path: 'share' });
  }
  return { backend: backend as BenchBackendName, threads: Number(threads) };
}

/** Runs one share of the cells in a child process of the built CLI and reads what it measured. */
function runShareInChildProcess(configPath: string, share: { backend: BenchBackendName; threads: number }): Promise<BenchPartial> {
  const cli = builtCliPath();
  if (cli === undefined) return Promise.reject(new Error('the built CLI (dist/main.js) is missing: run pnpm build'));
  return new Promise((resolvePartial, reject) => {
    execFile(process.execPath, [cli, 'bench', '--config', configPath, '--share', `${share.backend}@${share.threads}`, '--no-progress'], { maxBuffer: 1024 ** 3 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message.split('\n')[0]}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`));
      try {
        resolvePartial(JSON.parse(stdout) as BenchPartial);
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

/** `--check`: which targets failed (a target that could not be measured does not fail). */
export function failedTargets(results: Pick<BenchResults, 'targets'>): BenchResults['targets'] {
  return results.targets.filter((t) => t.pass === false);
}

/** `engine.backends` replaces the runtimes (tests). */
export async function benchCommand(options: BenchCommandOptions, engine: Pick<RunBenchmarkOptions, 'backends'> = {}): Promise<void> {
  if (options.printSchema) return printJson(benchConfigJsonSchema());
  const configPath = options.config ?? defaultConfigPath();
  // Validated before anything is built, run or written.
  const config = parseBenchConfig(await readConfig(configPath), { configPath });
  if (options.share !== undefined) {
    process.stdout.write(JSON.stringify(await runBenchmarkShare(config, parseShare(options.share), engine)));
    return;
  }
  await checkBenchConfigLimits(config, { yes: options.yes, forceThreads: options.forceThreads });
  const outputDirectory = options.out ?? defaultOutputDirectory();
  const progress = createProgressReporter(!options.json && options.progress !== false);
  let results: Awaited<ReturnType<typeof runBenchmark>>;
  try {
    results = await runBenchmark(config, { ...engine, onProgress: (p) => progress.update(p), runIsolated: (share) => runShareInChildProcess(configPath, share) });
  } finally {
    progress.stop();
  }
  const files = await writeBenchResults(outputDirectory, results);
  const failed = failedTargets(results);
  if (options.json) printJson({ outputDirectory, files, ...results });
  else {
    process.stdout.write(
      `${formatResultsTable(results)}\n${formatMachineLimit(results)}\n${formatEcaVersusSe(results)}\n${formatTargets(results)}\nresults written to ${outputDirectory}\n`,
    );
  }
  if (options.check) {
    const unmeasured = results.targets.filter((t) => t.pass === null).length;
    process.stderr.write(`check: ${failed.length} of ${results.targets.length} targets failed${unmeasured ? ` (${unmeasured} not measured, not counted as failed)` : ''}\n`);
    if (failed.length) process.exitCode = 1;
  }
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmark models x attention x backends from a config file (default: bench.default.json)')
    .option('-c, --config <file>', 'bench config (JSON; schema: schema/bench-config.schema.json)')
    .option('-o, --out <dir>', 'results folder (default: bench-results/<timestamp>)')
    .option('--json', 'print the results as JSON only')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--print-schema', "print the config's JSON Schema and exit")
    .option('--yes', 'run a config whose estimated time (cells x secondsPerCell) is above 30 min')
    .option('--force-threads', 'allow threads above the machine\'s cores')
    .option('--check', 'exit with code 1 when any target fails (for CI); without it the exit code does not depend on the targets')
    .addOption(new Option('--share <backend@threads>', 'internal: measure only these cells and print them as JSON').hideHelp())
    .action((options: BenchCommandOptions) => runCommand(() => benchCommand(options)));
}
