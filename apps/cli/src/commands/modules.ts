import { listAttention, optionsJsonSchema } from '@attnkit/core';
import type { Command } from 'commander';
import { printJson, runCommand } from '../cli-support.js';

/** One entry per registered module: what `attnkit modules --json` prints. */
export function describeModules() {
  return listAttention().map((d) => ({
    id: d.id,
    package: d.package,
    description: d.description,
    options: Object.fromEntries(Object.entries(d.options).map(([key, o]) => [key, { type: o.type, default: o.default, description: o.description }])),
    optionsSchema: optionsJsonSchema(d.options),
  }));
}

export function registerModulesCommand(program: Command): void {
  program
    .command('modules')
    .description('list the registered attention modules with their options and defaults')
    .option('--json', 'print JSON only')
    .action((options: { json?: boolean }) =>
      runCommand(() => {
        const modules = describeModules();
        if (options.json) return printJson(modules);
        for (const m of modules) {
          const opts = Object.entries(m.options).map(([k, o]) => `${k}=${JSON.stringify(o.default)}`).join(' ');
          process.stdout.write(`${m.id.padEnd(8)} ${m.package.padEnd(14)} ${m.description}\n${' '.repeat(9)}${opts || '(no options)'}\n`);
        }
      }),
    );
}
