/** The playground page: config editor, benchmark, attention view, your own model and a photo's top 5. */
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import './style.css';
import { createAttentionView } from './attention-view.js';
import { createBenchView } from './bench-view.js';
import { type BrowserBackendName, browserBackendNames, createBrowserBackends } from './browser-backends.js';
import { createConfigEditor } from './config-editor.js';
import { createOwnModelView } from './own-model-view.js';
import { createPhotoView } from './photo-view.js';
import { isolated } from './site-paths.js';

const byId = (id: string) => document.getElementById(id) as HTMLElement;

const note = byId('isolation-note');
note.textContent = isolated
  ? 'Cross-origin isolated: WebAssembly runs with threads.'
  : 'Not cross-origin isolated (the server sends no COOP/COEP headers): WebAssembly runs single-threaded.';
note.classList.toggle('ok', isolated);

const runButton = byId('run-bench') as HTMLButtonElement;
const editor = createConfigEditor(byId('config'), () => {
  runButton.disabled = false;
});
const bench = createBenchView(byId('bench'));
const attention = createAttentionView(byId('attention'), () => editor.raw());
createOwnModelView(byId('own-model'), attention);

runButton.addEventListener('click', async () => {
  const config = editor.current();
  if (config === undefined) return;
  runButton.disabled = true;
  document.body.dataset.bench = 'running';
  try {
    await bench.run(config);
    document.body.dataset.bench = 'done';
  } catch (error) {
    document.body.dataset.bench = 'failed';
    byId('bench').append(Object.assign(document.createElement('p'), { className: 'error', textContent: String((error as Error).stack ?? error) }));
  } finally {
    runButton.disabled = false;
  }
});

const backends = createBrowserBackends();
createPhotoView(byId('photo'), backends);
const reasons = new Map<BrowserBackendName, string | undefined>();
Promise.all(
  browserBackendNames.map(async (name) => {
    reasons.set(name, await backends[name].availability().catch((error: unknown) => String(error)));
  }),
).then(() => {
  editor.setAvailability(reasons);
  document.body.dataset.backends = 'checked';
});

