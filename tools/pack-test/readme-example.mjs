/**
 * What a package README promises, read from the README itself so the tarball test keeps it
 * true: the packages its install line names, its example, and the values the example documents
 * (`console.log(...); // => value`, or `// => value (derivation)`).
 */

/**
 * @param {string} readme the README's markdown
 * @returns {{ installs: string[], code: string, expectations: (string | undefined)[], topLevelAwait: boolean }}
 *   installs: package names of every `npm install` / `pnpm add` line in the first sh block;
 *   code: the first ts block under "## Example"; expectations: per console.log call, in order,
 *   the documented value or undefined.
 */
export function readmeExample(readme) {
  const installBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (installBlock === undefined) throw new Error('no ```sh block with the install line');
  const installs = [];
  for (const line of installBlock.split('\n')) {
    const words = line.replace(/#.*$/, '').trim().split(/\s+/).filter((word) => word && !/^[A-Z_]+=/.test(word));
    const command = words.slice(0, 2).join(' ');
    if (command !== 'npm install' && command !== 'npm i' && command !== 'pnpm add') continue;
    installs.push(...words.slice(2).filter((word) => !word.startsWith('-')));
  }
  if (installs.length === 0) throw new Error('the first ```sh block has no npm install / pnpm add line');

  const exampleAt = readme.search(/^## Example\s*$/m);
  if (exampleAt < 0) throw new Error('no "## Example" section');
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(exampleAt))?.[1];
  if (code === undefined) throw new Error('no ```ts block under "## Example"');
  const expectations = code
    .split('\n')
    .filter((line) => line.includes('console.log('))
    // A value may be followed by its derivation in parentheses: `// => 1688 (3 * 64 * 8 + ...)`.
    .map((line) => /\/\/ => (.*?)(?:\s+\((?:[^()]|\([^()]*\))*\))?\s*$/.exec(line)?.[1].trim());
  return { installs: [...new Set(installs)], code, expectations, topLevelAwait: /\bawait\b/.test(code) };
}
