/** Where the build serves the runtimes' wasm files (vite.config.ts copies them there). */
export const wasmBase = {
  ort: new URL('wasm/ort/', document.baseURI).href,
  tfjs: new URL('wasm/tfjs/', document.baseURI).href,
};

/** Threads need SharedArrayBuffer, which a browser gives only to cross-origin isolated pages. */
export const isolated = globalThis.crossOriginIsolated === true;
