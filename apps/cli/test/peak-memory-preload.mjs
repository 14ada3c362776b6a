// Loaded with `node --import` by the malformed-file corpus test: writes the process's peak
// resident memory (bytes) to $ATTNKIT_PEAK_MEMORY_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.ATTNKIT_PEAK_MEMORY_FILE) writeFileSync(process.env.ATTNKIT_PEAK_MEMORY_FILE, String(process.resourceUsage().maxRSS * 1024));
});
