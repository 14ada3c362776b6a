/**
 * A Stryker ignorer: the text of `description` properties (module and option descriptions) is
 * documentation, shown by `attnkit modules` and in the README option tables, which
 * `tools/gen-support-tables.mjs --check` keeps equal to the code; the text of a `label` property
 * of a module's `testCases` entry names a conformance case in test titles. Blanking either
 * changes no computation, so their mutants are not counted. A `label` anywhere else (e.g. the
 * stage names in zoo's kernel-size advice) is text users read, and is mutated.
 */
const keyName = (node) => (node?.type === 'Identifier' ? node.name : node?.type === 'StringLiteral' ? node.value : undefined);
const isDescriptionValue = (path) => {
  const parent = path.parentPath?.node;
  if (parent?.type !== 'ObjectProperty' || parent.value !== path.node) return false;
  const name = keyName(parent.key);
  if (name === 'description') return true;
  if (name !== 'label') return false;
  // label: '...' in { ... } in [ ... ] as the value of `testCases: [...]`.
  const list = path.parentPath.parentPath?.parentPath;
  const owner = list?.parentPath?.node;
  return list?.node.type === 'ArrayExpression' && owner?.type === 'ObjectProperty' && keyName(owner.key) === 'testCases';
};

export const strykerPlugins = [
  {
    kind: 'Ignore',
    name: 'documentation-text',
    value: {
      shouldIgnore(path) {
        const literal = path.node.type === 'StringLiteral' || path.node.type === 'TemplateLiteral';
        return literal && isDescriptionValue(path) ? 'documentation text (a description or a test label): no computation reads it' : undefined;
      },
    },
  },
];
