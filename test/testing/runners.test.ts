/**
 * `tokenward/testing` is independent of the test runner: the conformance
 * suite runs under node:test here (and under vitest in
 * test/storage/*.contract.test.ts), passing on a correct store and failing
 * on a broken one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FILE = 'test/testing/node-test-contract.ts';

interface Report {
  readonly code: number;
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
  readonly output: string;
}

/** Runs the suite under `node --test` (with tsx for the TypeScript sources) and reads its TAP summary. */
async function nodeTest(env: Record<string, string> = {}): Promise<Report> {
  const args = ['--import', 'tsx', '--test', '--test-reporter=tap', FILE];
  let output: string;
  let code = 0;
  try {
    ({ stdout: output } = await run(process.execPath, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }));
  } catch (error) {
    const failed = error as { stdout?: string; code?: number };
    output = failed.stdout ?? '';
    code = failed.code ?? 1;
  }
  const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? -1);
  return { code, pass: count('pass'), fail: count('fail'), skip: count('skipped'), output };
}

describe('the conformance suite under node:test', () => {
  it('passes on the memory store, every test run (touchMany, runExclusive and the two policy-version tests skipped: the store has none of them)', async () => {
    const report = await nodeTest();
    expect(report.fail, report.output).toBe(0);
    expect(report.code).toBe(0);
    expect(report.pass).toBeGreaterThan(60);
    expect(report.skip).toBe(4);
    expect(report.output).toMatch(/ok \d+ - runs one holder of a name at a time[^\n]*# SKIP/);
    expect(report.output).toMatch(/ok \d+ - one version per tenant[^\n]*# SKIP/);
    expect(report.output).toContain('TokenRepository contract: memory');
  });

  it('fails on a store that breaks the contract, and says where', async () => {
    const report = await nodeTest({ TOKENWARD_BROKEN_STORE: '1' });
    expect(report.code).not.toBe(0);
    expect(report.fail).toBeGreaterThan(0);
    expect(report.output).toMatch(/not ok \d+ - finds a token by \(tenant, owner, name\)/);
    expect(report.output).toContain('AssertionError');
  });
});
