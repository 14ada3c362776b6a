export interface BrowserRunOptions {
  /** Absolute path of a .ts/.js module whose default export is `async (args) => result`. */
  entry: string;
  /** JSON-serializable value passed to the entry's function. */
  args?: unknown;
  /** Page load + run budget in milliseconds (default 30 000; runInBrowser: 60 000). */
  timeoutMs?: number;
}

export interface BrowserRunResult<T = any> {
  /** The entry's return value as JSON (typed arrays became plain arrays). */
  result: T;
  /** console.error messages and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Every console message as `[type] text`. */
  console: string[];
  /** URLs of the web workers the page started (e.g. onnxruntime-web's pthreads). */
  workers: string[];
  crossOriginIsolated: boolean;
  timings: { buildMs: number; loadMs: number; runMs: number };
}

export interface BrowserSessionOptions {
  launchTimeoutMs?: number;
  /** Extra URL prefix (`'/fixtures/'`) -> absolute folder mappings to serve. */
  staticDirs?: Record<string, string>;
}

export interface BrowserSession {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  run<T = any>(options: BrowserRunOptions): Promise<BrowserRunResult<T>>;
  close(): Promise<void>;
}

/** The Chromium binary; throws "install chromium: apt-get install -y chromium" when there is none. */
export function findChromium(): string;
export function createBrowserSession(options?: BrowserSessionOptions): Promise<BrowserSession>;
export function runInBrowser<T = any>(options: BrowserRunOptions & Pick<BrowserSessionOptions, 'staticDirs'>): Promise<BrowserRunResult<T>>;
