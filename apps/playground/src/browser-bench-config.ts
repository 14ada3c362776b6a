/**
 * The bench config in the page: the CLI's own zod schema and checks (`parseBenchConfig`), with
 * the browser's backend names in place of the CLI's. Every issue comes back with its field path,
 * as the CLI prints them.
 */
import { isAttnkitError } from '@attnkit/core';
import { z } from 'zod';
import { type BenchConfig, type BenchConfigInput, type ConfigIssue, parseBenchConfig } from '../../cli/src/bench/bench-config.js';
import { type BrowserBackendName, browserBackendNames } from './browser-backends.js';

export type { ConfigIssue } from '../../cli/src/bench/bench-config.js';

/** A config as the page edits it: the CLI's input type with browser backends. */
export type PlaygroundConfig = Omit<BenchConfigInput, 'backends' | 'reference'> & { backends: BrowserBackendName[]; reference?: BrowserBackendName };

const backendList = z.array(z.enum(browserBackendNames)).min(1);
const cliPlaceholder = 'onnx-wasm';

export type ValidationResult = { ok: true; config: BenchConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates with the CLI's parser. Backend names are the one field the page and the CLI spell
 * differently, so they are checked here and handed to the parser as a name it knows.
 */
export function validatePlaygroundConfig(input: unknown): ValidationResult {
  const issues: ConfigIssue[] = [];
  const checkBackends = (value: unknown, path: string) => {
    const parsed = backendList.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) issues.push({ path: `${path}${issue.path.map((key) => `[${String(key)}]`).join('')}`, message: issue.message });
  };
  let forParser: unknown = input;
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const raw = input as Record<string, unknown>;
    checkBackends(raw.backends, 'backends');
    if (raw.reference !== undefined) {
      const listed = Array.isArray(raw.backends) ? raw.backends : [];
      if (!listed.includes(raw.reference)) issues.push({ path: 'reference', message: `must be one of the listed backends: ${listed.join(', ')}` });
    }
    const models = Array.isArray(raw.models)
      ? raw.models.map((model, i) => {
          if (model === null || typeof model !== 'object' || !('backends' in model)) return model;
          checkBackends((model as { backends: unknown }).backends, `models[${i}].backends`);
          return { ...model, backends: [cliPlaceholder] };
        })
      : raw.models;
    forParser = { ...raw, models, backends: [cliPlaceholder], reference: undefined };
  }
  let config: BenchConfig | undefined;
  try {
    config = parseBenchConfig(forParser, { configPath: '/playground/config.json' });
  } catch (error) {
    if (!isAttnkitError(error, 'INVALID_CONFIG')) throw error;
    issues.push(...((error.details as { issues: ConfigIssue[] }).issues ?? []));
  }
  if (issues.length > 0 || config === undefined) return { ok: false, issues };
  const raw = input as PlaygroundConfig & { models: unknown[] };
  const backends = raw.backends as unknown as BenchConfig['backends'];
  config.models.forEach((model, i) => {
    const own = raw.models[i];
    model.backends = (own !== null && typeof own === 'object' && 'backends' in own ? own.backends : backends) as BenchConfig['backends'];
  });
  // The parser gave the placeholder its thread counts; every browser backend runs with them.
  const threads = { ...config.threads } as Record<string, number[]>;
  for (const backend of new Set(config.models.flatMap((model) => model.backends as readonly string[]))) threads[backend] ??= config.threads[cliPlaceholder];
  return {
    ok: true,
    config: { ...config, threads: threads as BenchConfig['threads'], reference: (raw.reference ?? raw.backends[0]) as BenchConfig['reference'], source: 'the playground config' },
  };
}
