// Browser sessions for the console (issue 14): the login page at `/` instead of JSON, the session
// cookie's attributes, the API reachable with that cookie for reads, and the CSRF check on every write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor, SESSION_COOKIE } from '../../src/server/access/browser.js';
import { CHAIN_VAT, PASSWORD, testServer, userCaller, type TestServer } from '../server/helpers.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('console sessions', () => {
  let s: TestServer;
  let cookie: string;
  let token: string;
  beforeAll(async () => {
    s = await testServer('sqlite', { trustProxy: 1 });
    await userCaller(s, 'finance', 'admin');
    const r = await s.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80', host: 'localhost:80' },
      payload: new URLSearchParams({ username: 'finance', password: PASSWORD }).toString(),
    });
    expect(r.statusCode, r.body).toBe(303);
    const set = String(r.headers['set-cookie']);
    token = /fawtara_session=([^;]+)/.exec(set)![1]!;
    cookie = `${SESSION_COOKIE}=${token}`;
  });
  afterAll(async () => s?.close());

  it('a browser opening / without a session gets the HTML login page, not JSON 401', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('<form method="post" action="/console/login">');
    // strict CSP: our own script and style only, no inline code
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('the session cookie is HttpOnly and SameSite=Strict; Secure only when served over TLS', async () => {
    const login = (proto: string) =>
      s.app.inject({
        method: 'POST',
        url: '/console/login',
        headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': proto },
        payload: new URLSearchParams({ username: 'finance', password: PASSWORD }).toString(),
      });
    const plain = String((await login('http')).headers['set-cookie']);
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Strict/);
    expect(plain).not.toMatch(/Secure/);
    expect(String((await login('https')).headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('a wrong password shows the login page again with the bilingual message (401), no cookie', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: 'finance', password: 'not the password' }).toString(),
    });
    expect(r.statusCode).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.body).toContain('wrong username or password');
    expect(r.body).toContain('اسم المستخدم أو كلمة المرور غير صحيحة');
  });

  it('with the cookie, a link to the API opens (GET); the overview page renders', async () => {
    const me = await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().name).toBe('finance');
    const page = await s.app.inject({ method: 'GET', url: `/console/taxpayers/${CHAIN_VAT}/overview`, headers: { ...HTML, cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en" dir="ltr">');
  });

  it('a cookie write without the CSRF token is refused (403 CSRF); with it, it passes', async () => {
    const body = { name: 'Khobar', nameAr: 'الخبر' };
    const without = await s.app.inject({ method: 'POST', url: `/api/v1/taxpayers/${CHAIN_VAT}/branches`, headers: { cookie }, payload: body });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.reason).toBe('CSRF');
    const wrong = await s.app.inject({
      method: 'POST',
      url: `/api/v1/taxpayers/${CHAIN_VAT}/branches`,
      headers: { cookie, 'x-csrf-token': csrfTokenFor(`${token}x`) },
      payload: body,
    });
    expect(wrong.statusCode).toBe(403);
    const right = await s.app.inject({
      method: 'POST',
      url: `/api/v1/users/nobody/disable`,
      headers: { cookie, 'x-csrf-token': csrfTokenFor(token) },
      payload: {},
    });
    expect(right.json().error?.reason).not.toBe('CSRF');
  });

  it('a cross-site POST is refused even with the right token (Origin of another site)', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { ...HTML, cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfTokenFor(token) }).toString(),
    });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('cross-site request refused');
    // the session still works
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('the API keeps Bearer: a Bearer write needs no CSRF token', async () => {
    const caller = await userCaller(s, 'api-admin', 'admin');
    const r = await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: caller });
    expect(r.statusCode).toBe(200);
    const off = await s.app.inject({ method: 'POST', url: `/api/v1/users/finance2/disable`, headers: caller, payload: {} });
    expect(off.json().error?.reason).not.toBe('CSRF');
  });

  it('an expired or missing session on a console page sends the browser to the login page', async () => {
    const r = await s.app.inject({ method: 'GET', url: `/console/taxpayers/${CHAIN_VAT}/overview`, headers: HTML });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/?next=${encodeURIComponent(`/console/taxpayers/${CHAIN_VAT}/overview`)}`);
    // a script (not a browser page) still gets the API's JSON
    const api = await s.app.inject({ method: 'GET', url: `/console/taxpayers/${CHAIN_VAT}/overview` });
    expect(api.statusCode).toBe(401);
    expect(api.json().error.code).toBe('UNAUTHENTICATED');
  });
});
