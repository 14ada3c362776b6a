// The bundle's entry: runs the page and leaves its outcome where the test reads it.
import run from './page.mjs';

window.__attnkitOutcome = run().then(
  (value) => ({ ok: true, value }),
  (error) => ({ ok: false, error: String(error?.stack ?? error) }),
);
