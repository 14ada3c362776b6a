/**
 * `module` in the page. @attnkit/tfjs's wasm loader calls `createRequire` only under Node (to
 * find the binaries in node_modules); in the page `setWasmPaths` points at the site's own copy.
 */
export function createRequire(_from: string): never {
  throw new Error('createRequire is Node-only; the playground sets the wasm paths itself');
}
