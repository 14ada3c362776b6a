import './all-modules.js';
import * as tf from '@tensorflow/tfjs-core';
import { Command, CommanderError } from 'commander';
import { reportError, setDebug } from './cli-support.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerClassifyCommand } from './commands/classify.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerCountCommand } from './commands/count.js';
import { registerExportCommand } from './commands/export.js';
import { registerInsertCommand } from './commands/insert.js';
import { registerModulesCommand } from './commands/modules.js';
import { registerRunCommand } from './commands/run.js';

// Production mode: no per-op debug checks, and no "install tfjs-node" banner on stderr (it
// cannot be installed here; the wasm backend is the fast tfjs path in Node).
tf.env().set('PROD', true);

// `--debug` may stand anywhere on the line, so it is taken out before commander parses.
setDebug(process.argv.includes('--debug'));
const argv = process.argv.filter((argument) => argument !== '--debug');

const program = new Command('attnkit')
  .description('channel attention (ECA, SE, CBAM) for CNNs on TensorFlow.js and ONNX')
  .option('--debug', 'print stack traces with errors (anywhere on the line)')
  .showHelpAfterError()
  // A usage error (unknown option, missing argument) is the user's: exit 2, like every typed error.
  .exitOverride((error: CommanderError) => {
    throw error;
  });

// One line per command; each command lives in commands/<name>.ts.
registerModulesCommand(program);
registerCountCommand(program);
registerExportCommand(program);
registerInsertCommand(program);
registerRunCommand(program);
registerClassifyCommand(program);
registerBenchCommand(program);
registerConvertCommand(program);

const reportAndExit = (error: unknown): never => {
  reportError(error);
  process.exit();
};
process.on('uncaughtException', reportAndExit);
process.on('unhandledRejection', reportAndExit);
try {
  await program.parseAsync(argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else reportError(error);
}
