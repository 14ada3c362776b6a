import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { Command } from 'commander';
import { registerModulesCommand } from './commands/modules.js';

const program = new Command('attnkit')
  .description('channel attention (ECA, SE, CBAM) for CNNs on TensorFlow.js and ONNX')
  .showHelpAfterError();

// One line per command; each command lives in commands/<name>.ts.
registerModulesCommand(program);
(await import('./commands/count.js')).registerCountCommand(program);
(await import('./commands/bench.js')).registerBenchCommand(program);
(await import('./commands/export.js')).registerExportCommand(program);
(await import('./commands/run.js')).registerRunCommand(program);
(await import('./commands/insert.js')).registerInsertCommand(program);

await program.parseAsync(process.argv);
