/**
 * The fault hook of `tokenward/testing` itself: the plan fails exactly the
 * armed statement, before or after it runs, and the better-sqlite3 and pg
 * wrappers route every statement through it.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { createFaultPlan } from '../../src/testing/faults.js';
import { describeRepositoryContract, InjectedFault, withPgFaults, withSqliteFaults } from '../../src/testing/index.js';

describe('the fault plan', () => {
  it('fails only the armed statement: before it runs, or after it ran', () => {
    const plan = createFaultPlan();
    const ran: number[] = [];
    plan.arm(2, 'before');
    expect(plan.statement(() => ran.push(1))).toBe(1);
    expect(() => plan.statement(() => ran.push(2))).toThrow(InjectedFault);
    expect(plan.statement(() => ran.push(3))).toBe(2);
    expect(plan.disarm()).toEqual({ seen: 3, fired: true });
    expect(ran).toEqual([1, 3]);

    plan.arm(1, 'after');
    expect(() => plan.statement(() => ran.push(4))).toThrow(InjectedFault);
    expect(ran).toEqual([1, 3, 4]);
    expect(plan.disarm()).toEqual({ seen: 1, fired: true });
    // Disarmed, nothing is counted or failed.
    expect(plan.statement(() => 'ok')).toBe('ok');
    expect(plan.disarm()).toEqual({ seen: 0, fired: false });
  });

  it('lets a promise settle before it rejects in "after" mode', async () => {
    const plan = createFaultPlan();
    let settled = false;
    plan.arm(1, 'after');
    const result = plan.statement(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      settled = true;
    });
    await expect(result).rejects.toBeInstanceOf(InjectedFault);
    expect(settled).toBe(true);
  });
});

describe('withSqliteFaults', () => {
  it('counts every statement run, exec and pragma, and keeps fluent setters on the wrapper', () => {
    const plan = createFaultPlan();
    const db = withSqliteFaults(new Database(':memory:'), plan);
    db.exec('CREATE TABLE t (x INTEGER)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const select = db.prepare('SELECT x FROM t').safeIntegers(false);
    plan.arm(Number.POSITIVE_INFINITY, 'before');
    insert.run(1);
    expect(select.all()).toEqual([{ x: 1 }]);
    db.pragma('busy_timeout = 10');
    db.exec('DELETE FROM t');
    expect(plan.disarm().seen).toBe(4);
    plan.arm(1, 'before');
    expect(() => insert.run(2)).toThrow(InjectedFault);
    plan.disarm();
    expect(select.all()).toEqual([]);
    db.close();
  });
});

describe('withPgFaults', () => {
  it('counts pool queries and the queries of checked-out clients, and fails them as rejections', async () => {
    const plan = createFaultPlan();
    const log: string[] = [];
    const client = {
      query: async (text: string) => {
        log.push(`client:${text}`);
        return { rows: [] };
      },
      release: () => log.push('release'),
    };
    const pool = {
      query: async (text: string) => {
        log.push(`pool:${text}`);
        return { rows: [] };
      },
      connect: async () => client,
    };
    const wrapped = withPgFaults(pool, plan);
    plan.arm(2, 'before');
    await wrapped.query('SELECT 1');
    const checkedOut = await wrapped.connect();
    const failing = checkedOut.query('BEGIN');
    expect(failing).toBeInstanceOf(Promise);
    await expect(failing).rejects.toBeInstanceOf(InjectedFault);
    await checkedOut.query('ROLLBACK');
    checkedOut.release();
    expect(plan.disarm()).toEqual({ seen: 3, fired: true });
    expect(log).toEqual(['pool:SELECT 1', 'client:ROLLBACK', 'release']);
  });
});

describe('describeRepositoryContract options', () => {
  it('refuses a faults hook that is not a function, naming the option', () => {
    let error: unknown = null;
    try {
      describeRepositoryContract('bad hook', () => memoryRepository(), {
        runner: { describe, it, beforeEach, afterEach },
        faults: 'yes' as never,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'faults' } });
  });
});
