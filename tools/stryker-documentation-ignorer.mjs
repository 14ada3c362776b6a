/**
 * A Stryker ignorer: the text of `description` properties (module and option descriptions) is
 * documentation, shown by `attnkit modules` and in the README option tables, which
 * `tools/gen-support-tables.mjs --check` keeps equal to the code; the text of `label` properties
 * names a conformance case in test titles. Blanking either changes no computation, so their
 * mutants are not counted.
 */
const isDescriptionValue = (path) => {
  const parent = path.parentPath?.node;
  if (parent?.type !== 'ObjectProperty' || parent.value !== path.node) return false;
  const key = parent.key;
  const name = key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
  return name === 'description' || name === 'label';
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
