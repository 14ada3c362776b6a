import './all-modules.js';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerCountCommand } from './commands/count.js';
import { registerExportCommand } from './commands/export.js';
import { registerInsertCommand } from './commands/insert.js';
import { registerModulesCommand } from './commands/modules.js';
import { registerRunCommand } from './commands/run.js';

// Production mode: no per-op debug checks, and no "install tfjs-node" banner on stderr (it
// cannot be installed here; the wasm backend is the fast tfjs path in Node).
tf.env().set('PROD', true);

const program = new Command('attnkit')
  .description('channel attention (ECA, SE, CBAM) for CNNs on TensorFlow.js and ONNX')
  .showHelpAfterError();

// One line per command; each command lives in commands/<name>.ts.
registerModulesCommand(program);
registerCountCommand(program);
registerExportCommand(program);
registerInsertCommand(program);
registerRunCommand(program);
registerBenchCommand(program);

await program.parseAsync(process.argv);
