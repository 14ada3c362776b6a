#!/usr/bin/env node
/**
 * Writes packages/onnx/src/onnx-schema-descriptor.ts, the protobufjs JSON descriptor the ONNX codec
 * reads and writes models with, from the vendored packages/onnx/proto/onnx-ml.proto by protobufjs's
 * own generator, `pbjs -t json --keep-case` (protobufjs-cli, pinned in packages/onnx's
 * devDependencies, run on the protobufjs it resolves). The descriptor is written as a TypeScript
 * module so the ESM, CommonJS and browser builds carry it with no file read at run time.
 *
 * The proto must stay the upstream file byte for byte: its sha256 has to match the one
 * packages/onnx/proto/README.md records (vendoring a newer ONNX release means replacing the file
 * and updating the README's source, version and sha256, then running this script).
 *
 * Usage: node tools/gen-onnx-schema.mjs [--check]   (--check: exit 1 if the committed descriptor differs)
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(root, 'packages/onnx');
const protoFile = join(packageDir, 'proto/onnx-ml.proto');
const readmeFile = join(packageDir, 'proto/README.md');
const outputFile = join(packageDir, 'src/onnx-schema-descriptor.ts');

const requireFromPackage = createRequire(join(packageDir, 'package.json'));
const requireFromCli = createRequire(requireFromPackage.resolve('protobufjs-cli'));
const { pbjs } = requireFromPackage('protobufjs-cli');
const cliVersion = requireFromCli('./package.json').version;
const protobufVersion = requireFromCli('protobufjs/package.json').version;

function fail(message) {
  process.stderr.write(`gen-onnx-schema: ${message}\n`);
  process.exit(1);
}

const protoBytes = readFileSync(protoFile);
const protoSha256 = createHash('sha256').update(protoBytes).digest('hex');
const recordedSha256 = /sha256: `([0-9a-f]{64})`/.exec(readFileSync(readmeFile, 'utf8'))?.[1];
if (recordedSha256 !== protoSha256) {
  fail(
    `${relative(root, protoFile)} has sha256 ${protoSha256} but ${relative(root, readmeFile)} records ${recordedSha256 ?? 'none'}; ` +
      'the proto is vendored unchanged: restore it, or record the source, version and sha256 of the new upstream file',
  );
}

const args = ['--target', 'json', '--keep-case', protoFile];
const json = await new Promise((resolve, reject) => {
  pbjs.main(args, (error, output) => (error ? reject(error) : resolve(output)));
});
const descriptor = JSON.parse(json);
const irVersion = descriptor.nested?.onnx?.nested?.Version?.values?.IR_VERSION;
if (typeof irVersion !== 'number') fail(`pbjs output of ${relative(root, protoFile)} has no onnx.Version.IR_VERSION; is it onnx.proto?`);

const text = `/**
 * The ONNX protobuf schema as a protobufjs JSON descriptor. Generated: do not edit. Run
 * \`node tools/gen-onnx-schema.mjs\` (\`--check\` runs in \`pnpm test\`).
 *
 * From packages/onnx/proto/onnx-ml.proto (IR version ${irVersion}, sha256 ${protoSha256.slice(0, 16)}...; where the
 * file comes from: packages/onnx/proto/README.md), Apache-2.0, copyright ONNX Project Contributors
 * (packages/onnx/proto/LICENSE), by \`pbjs ${args.slice(0, -1).join(' ')}\` of protobufjs-cli ${cliVersion} on protobufjs ${protobufVersion}.
 */
export const onnxSchemaDescriptor = ${JSON.stringify(descriptor, null, 2)} as const;
`;

const before = (() => {
  try {
    return readFileSync(outputFile, 'utf8');
  } catch {
    return undefined;
  }
})();
if (before === text) process.exit(0);
if (process.argv.includes('--check')) {
  fail(`${relative(root, outputFile)} is not what pbjs generates from ${relative(root, protoFile)}; run node tools/gen-onnx-schema.mjs`);
}
writeFileSync(outputFile, text);
process.stdout.write(`wrote ${relative(root, outputFile)}\n`);
