/**
 * `fs` in the page. Browser code reaches it only for files on disk, which a page has none of:
 * the bench config's model paths (a page drops files instead) are reported as missing.
 */
export function existsSync(_path: string): boolean {
  return false;
}
