/** A config in the page's address (`#config=<JSON>`), so a link reproduces it. */
const key = 'config';

export function configToHash(config: unknown): string {
  return `#${key}=${encodeURIComponent(JSON.stringify(config))}`;
}

/** The config in a hash, `undefined` when there is none; a hash that is not JSON is reported as text. */
export function configFromHash(hash: string): { config?: unknown; error?: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const text = params.get(key);
  if (text === null) return {};
  try {
    return { config: JSON.parse(text) };
  } catch (error) {
    return { error: `the link's config is not JSON: ${(error as Error).message}` };
  }
}
