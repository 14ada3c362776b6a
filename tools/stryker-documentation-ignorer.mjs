/**
 * A Stryker ignorer: the text of `description` properties (module and option descriptions) is
 * documentation. It is shown by `attnkit modules` and in the README option tables, which
 * `tools/gen-support-tables.mjs --check` keeps equal to the code; blanking it changes no
 * computation, so its mutants are not counted.
 */
const isDescriptionValue = (path) => {
  const parent = path.parentPath?.node;
  if (parent?.type !== 'ObjectProperty' || parent.value !== path.node) return false;
  const key = parent.key;
  return (key.type === 'Identifier' && key.name === 'description') || (key.type === 'StringLiteral' && key.value === 'description');
};

export const strykerPlugins = [
  {
    kind: 'Ignore',
    name: 'documentation-text',
    value: {
      shouldIgnore(path) {
        const literal = path.node.type === 'StringLiteral' || path.node.type === 'TemplateLiteral';
        return literal && isDescriptionValue(path) ? 'documentation text (description), checked against the READMEs by gen-support-tables --check' : undefined;
      },
    },
  },
];
