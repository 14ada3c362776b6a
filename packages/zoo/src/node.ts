/** `@attnkit/zoo/node`: the Node-only file helpers (node:fs), kept out of the browser entry. */
export * from './weights/node.js';
