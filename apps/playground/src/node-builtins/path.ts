/**
 * `path` in the page: the POSIX subset the bench config uses to name where a config came from.
 * Nothing is read from these paths in a browser.
 */
export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

export function join(...parts: string[]): string {
  return normalize(parts.filter(Boolean).join('/'));
}

export function resolve(...parts: string[]): string {
  const start = parts.reduceRight((found, part) => (found === -1 && isAbsolute(part) ? parts.indexOf(part) : found), -1);
  return normalize(`/${parts.slice(Math.max(0, start)).join('/')}`);
}

export function dirname(path: string): string {
  const cut = path.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? (path.startsWith('/') ? '/' : '.') : path.slice(0, cut);
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part && part !== '.') out.push(part);
  }
  return `${path.startsWith('/') ? '/' : ''}${out.join('/')}`;
}
