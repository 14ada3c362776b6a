
import '../src/all-modules.js';
import { listAttention } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { attnkit } from './test-support.js';
import { describeModules } from '../src/commands/modules.js';


describe('attnkit modules (built CLI)', () => {
  it('--json prints JSON alone: one object per registered module with id, package, options with defaults, description', () => {
    const run = attnkit(['modules', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const modules = JSON.parse(run.stdout) as ReturnType<typeof describeModules>;
    expect(modules.map((m) => m.id)).toEqual(listAttention().map((d) => d.id));
    expect(modules.map((m) => m.id)).toEqual(['bam', 'cbam', 'ceca', 'coordatt', 'eca', 'eca-ns', 'ecam', 'ese', 'gc', 'gct', 'ge', 'lcbam', 'se', 'se-var1', 'se-var2', 'se-var3', 'simam']);
    for (const m of modules) {
      expect(m.package).toMatch(/^@attnkit\/(eca|se|cbam|bam|coordatt|ecam|ese|gc|gct|ge|lcbam|simam)$/);
      expect(m.description.length).toBeGreaterThan(10);
      for (const option of Object.values(m.options)) expect(option).toHaveProperty('default');
    }
    const byId = Object.fromEntries(modules.map((m) => [m.id, m]));
    expect(byId.eca.package).toBe('@attnkit/eca');
    expect(byId.eca.options.kernelSize.default).toBe('adaptive');
    expect(byId.eca.options.gamma.default).toBe(2);
    expect(byId.eca.options.beta.default).toBe(1);
    expect(byId.se.options).toMatchObject({ reductionRatio: { type: 'integer', default: 16 }, bias: { default: true }, channelDivisor: { default: 1 } });
    expect(byId.cbam.options.poolOrder.default).toBe('max-mean');
    expect(byId['se-var1'].options).toEqual({});
    // The same as the library's own listing.
    expect(modules).toEqual(JSON.parse(JSON.stringify(describeModules())));
  });

  it('without --json prints one line per module plus its defaults', () => {
    const run = attnkit(['modules']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('eca      @attnkit/eca');
    expect(run.stdout).toContain('kernelSize="adaptive" gamma=2 beta=1');
    expect(run.stdout).toContain('(no options)');
  });

  it('an unknown flag exits non-zero with the reason on stderr and nothing on stdout', () => {
    const run = attnkit(['modules', '--bogus']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stdout).toBe('');
  });
});
