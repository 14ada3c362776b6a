/**
 * `@attnkit/core/node`: the Node-only file helpers every attnkit package shares (the main entry
 * stays free of Node code so it runs in browsers).
 */
export { fileSystemError, isFileSystemError } from './file-system-error.js';
export { readRegularFile, type ReadRegularFileOptions, regularFileSize, resolveInsideFolder } from './read-regular-file.js';
export { type OutputFile, writeFileAtomic, writeFilesAtomic } from './write-files-atomic.js';
