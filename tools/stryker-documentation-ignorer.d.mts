/** Types for stryker-documentation-ignorer.mjs (a Stryker plugin module, loaded by stryker.shared.mjs). */
export declare const strykerPlugins: Array<{ kind: 'Ignore'; name: string; value: { shouldIgnore(path: unknown): string | undefined } }>;
