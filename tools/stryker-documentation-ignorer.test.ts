import { describe, expect, it } from 'vitest';
import { strykerPlugins } from './stryker-documentation-ignorer.mjs';

// The ignorer reads only node types, keys and parent links of Babel's NodePath: a chain of
// { node, parentPath } is enough to stand for the code in each comment.
type Node = { type: string; [key: string]: unknown };
type Path = { node: Node; parentPath?: Path };
const ignore = strykerPlugins[0].value.shouldIgnore as (path: Path) => string | undefined;
const id = (name: string): Node => ({ type: 'Identifier', name });
const text = (value: string): Node => ({ type: 'StringLiteral', value });

/** The path of `literal` as the value of `key: literal` in an object, under `parents` (outermost first). */
function propertyValue(key: string, literal: Node, parents: Node[] = []): Path {
  let parent: Path | undefined;
  for (const node of parents) parent = { node, parentPath: parent };
  const object: Path = { node: { type: 'ObjectExpression' }, parentPath: parent };
  const property: Path = { node: { type: 'ObjectProperty', key: id(key), value: literal }, parentPath: object };
  return { node: literal, parentPath: property };
}

describe('the documentation-text ignorer', () => {
  const reason = 'documentation text (a description or a test label): no computation reads it';

  it("ignores a description's text, as a plain string or a template", () => {
    expect(ignore(propertyValue('description', text('Efficient Channel Attention')))).toBe(reason);
    expect(ignore(propertyValue('description', { type: 'TemplateLiteral' }))).toBe(reason);
  });

  it("ignores a label only in a module's testCases list: testCases: [{ label: 'eca k5', ... }]", () => {
    const list: Node = { type: 'ArrayExpression' };
    const testCases: Node = { type: 'ObjectProperty', key: id('testCases'), value: list };
    expect(ignore(propertyValue('label', text('eca k5'), [testCases, list]))).toBe(reason);
  });

  it('mutates a label users read: return { stage, label: `layer${n}` } and cases: [{ label }]', () => {
    expect(ignore(propertyValue('label', { type: 'TemplateLiteral' }))).toBeUndefined();
    const list: Node = { type: 'ArrayExpression' };
    const cases: Node = { type: 'ObjectProperty', key: id('cases'), value: list };
    expect(ignore(propertyValue('label', text('layer1'), [cases, list]))).toBeUndefined();
  });

  it('mutates other strings: a key, another property, a number', () => {
    const literal = text('description');
    const keyPath: Path = { node: literal, parentPath: { node: { type: 'ObjectProperty', key: literal, value: text('x') } } };
    expect(ignore(keyPath)).toBeUndefined();
    expect(ignore(propertyValue('message', text('k must be odd')))).toBeUndefined();
    expect(ignore(propertyValue('description', { type: 'NumericLiteral', value: 3 }))).toBeUndefined();
  });
});
