import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type { Command } from 'commander';
import { printJson, runCommand } from '../cli-support.js';
import { benchConfigJsonSchema, parseBenchConfig } from '../bench/bench-config.js';
import { checkBenchConfigLimits } from '../bench/bench-config-limits.js';
import { createProgressReporter } from '../bench/bench-progress.js';
import { formatResultsTable, formatTargets } from '../bench/results-table.js';
import { runBenchmark } from '../bench/run-benchmark.js';
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

export interface BenchCommandOptions {
  config?: string;
  out?: string;
  json?: boolean;
  printSchema?: boolean;
  progress?: boolean;
  yes?: boolean;
  forceThreads?: boolean;
}

export async function benchCommand(options: BenchCommandOptions): Promise<void> {
  if (options.printSchema) return printJson(benchConfigJsonSchema());
  const configPath = options.config ?? defaultConfigPath();
  // Validated before anything is built, run or written.
  const config = parseBenchConfig(await readConfig(configPath), { configPath });
  await checkBenchConfigLimits(config, { yes: options.yes, forceThreads: options.forceThreads });
  const outputDirectory = options.out ?? defaultOutputDirectory();
  const progress = createProgressReporter(!options.json && options.progress !== false);
  let results: Awaited<ReturnType<typeof runBenchmark>>;
  try {
    results = await runBenchmark(config, { onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const files = await writeBenchResults(outputDirectory, results);
  if (options.json) return printJson({ outputDirectory, files, ...results });
  process.stdout.write(`${formatResultsTable(results)}\n${formatTargets(results)}\nresults written to ${outputDirectory}\n`);
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
    .action((options: BenchCommandOptions) => runCommand(() => benchCommand(options)));
}
