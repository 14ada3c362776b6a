/** Versions of the runtime packages in this build, read from their package.json by vite.config.ts. */
declare const ATTNKIT_RUNTIME_VERSIONS: Record<string, string>;

export const runtimeVersions: Readonly<Record<string, string>> = ATTNKIT_RUNTIME_VERSIONS;
