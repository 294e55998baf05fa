/**
 * Issue 14, OpenAPI of the operator surface: every route of the tokens page
 * in the shipped document (sign-in, session, sign-out, and the management
 * API under /page/api) is called on a live page, and each answer's status
 * must be the expected one and documented, and its body must match the
 * documented schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorOpenApi } from '../../src/web/openapi.js';
import { answerProblems, bodyValidator, operationsOf } from '../http/support/openapi-check.js';
import { type Answer, type PageServer, sessionCookieOf, startPage, TENANT } from './support.js';

interface Step {
  readonly operation: string;
  readonly status: number;
  readonly send: (page: PageServer, cookie: string) => Promise<Answer>;
}

const STEPS: readonly Step[] = [
  { operation: 'pageSession', status: 200, send: (page) => page.request('GET', '/page/session') },
  {
    operation: 'pageDemoSignIn',
    status: 200,
    send: (page) => page.request('POST', '/page/session/demo', { body: { user: 'alice' } }),
  },
  {
    operation: 'pageDemoSignIn',
    status: 403,
    send: (page) => page.request('POST', '/page/session/demo', { body: { user: 'analyst' } }),
  },
  {
    operation: 'pageDemoSignIn',
    status: 400,
    send: (page) => page.request('POST', '/page/session/demo', { body: { name: 'alice' } }),
  },
  {
    operation: 'pageDemoSignIn',
    status: 415,
    send: (page) => page.request('POST', '/page/session/demo', { raw: { type: 'text/plain', text: 'alice' } }),
  },
  {
    operation: 'pageTokenSignIn',
    status: 401,
    send: (page) => page.request('POST', '/page/session/token', { body: { token: 'acme_p_nonsense' } }),
  },
  { operation: 'pageSession', status: 200, send: (page, cookie) => page.request('GET', '/page/session', { cookie }) },
  { operation: 'listTokens', status: 200, send: (page, cookie) => page.request('GET', '/page/api/tokens', { cookie }) },
  { operation: 'listTokens', status: 401, send: (page) => page.request('GET', '/page/api/tokens') },
  { operation: 'openApiDocument', status: 200, send: (page) => page.request('GET', '/page/api/openapi.json') },
  {
    operation: 'pageSignOut',
    status: 200,
    send: (page, cookie) => page.request('DELETE', '/page/session', { cookie }),
  },
];

describe('the operator surface as the shipped OpenAPI document says', () => {
  let page: PageServer;
  beforeAll(async () => {
    page = await startPage({ tenant: TENANT, signIn: { demoUsers: ['alice'], token: true } });
  });
  afterAll(() => page.close());

  it('answers every step with an expected, documented status and body', async () => {
    const document = operatorOpenApi();
    const operations = operationsOf(document);
    const validate = bodyValidator(document);
    const signIn = await page.request('POST', '/page/session/demo', { body: { user: 'alice' } });
    const cookie = sessionCookieOf(signIn);
    for (const step of STEPS) {
      const answer = await step.send(page, cookie);
      const where = `${step.operation} → ${answer.status}`;
      expect(answer.status, where).toBe(step.status);
      expect(answerProblems(operations.get(step.operation), answer, validate), where).toEqual([]);
    }
    const token = (await page.service.issue({ name: 'sign-in' }, { tenant: TENANT, user: 'alice' })).token;
    const tokenSignIn = await page.request('POST', '/page/session/token', { body: { token } });
    expect(tokenSignIn.status).toBe(200);
    expect(answerProblems(operations.get('pageTokenSignIn'), tokenSignIn, validate)).toEqual([]);
  });

  it('serves what the document lists under /page/api as the management API', async () => {
    const served = await page.request('GET', '/page/api/openapi.json');
    const paths = Object.keys(operatorOpenApi().paths).filter((path) => path.startsWith('/page/api/'));
    expect(paths.map((path) => path.slice('/page/api'.length)).sort()).toEqual(Object.keys(served.body.paths).sort());
  });
});
