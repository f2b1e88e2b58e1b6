import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, server } from '../test/server';
import { makeTask } from '../test/fixtures';
import { getStats, listTasks, signIn, signOut } from './client';
import { ApiError } from './errors';
import { currentSession, startSession } from './session';

const page = { filters: {}, sort: '-created_at', limit: 10, offset: 0 } as const;

describe('the client and the session', () => {
  it('sends the session as a bearer token, and nothing when nobody is signed in', async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get(`${API}/tasks`, ({ request }) => {
        seen.push(request.headers.get('Authorization'));
        return HttpResponse.json([makeTask()], { headers: { 'X-Total-Count': '1' } });
      }),
    );
    await listTasks(page);
    startSession('secret-token', 600);
    await listTasks(page);
    expect(seen).toEqual([null, 'Bearer secret-token']);
  });

  it('a 401 to a request that carried the token ends the session, marked as ended', async () => {
    server.use(http.get(`${API}/tasks/stats`, () => HttpResponse.json({ detail: 'Not authenticated' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } })));
    startSession('revoked', 600);
    const error = await getStats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(currentSession()).toEqual({ token: null, expiresAt: null, ended: true });
  });

  it('a 401 answering a token older than the session now held changes nothing', async () => {
    server.use(
      http.get(`${API}/tasks/stats`, () => {
        // The person signed in again while this request, with the old token, was on its way.
        startSession('fresh', 600);
        return HttpResponse.json({ detail: 'Not authenticated' }, { status: 401 });
      }),
    );
    startSession('stale', 600);
    await getStats().catch(() => undefined);
    expect(currentSession().token).toBe('fresh');
  });

  it("signs in with OAuth2's password form, and a wrong password is the API's 401, not a session ending", async () => {
    let body: string | undefined;
    let type: string | null = null;
    server.use(
      http.post(`${API}/auth/token`, async ({ request }) => {
        type = request.headers.get('Content-Type');
        body = await request.text();
        return HttpResponse.json({ detail: 'Incorrect email or password' }, { status: 401 });
      }),
    );
    const error = await signIn('ann@example.com', 'a password with spaces & signs').catch((e: unknown) => e);
    expect(type).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ username: 'ann@example.com', password: 'a password with spaces & signs' });
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).message).toBe('Incorrect email or password');
    expect(currentSession().ended).toBe(false);
  });

  it('a throttled sign-in says how long to wait, from Retry-After', async () => {
    server.use(
      http.post(`${API}/auth/token`, () => HttpResponse.json({ detail: 'Too many requests' }, { status: 429, headers: { 'Retry-After': '30' } })),
    );
    const error = await signIn('ann@example.com', 'whatever it is').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toBe('Too many sign-in attempts. Try again in 30 seconds.');
  });

  it('signing out tells the API which session ends', async () => {
    let auth: string | null = null;
    server.use(
      http.post(`${API}/auth/logout`, ({ request }) => {
        auth = request.headers.get('Authorization');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    startSession('ending', 600);
    await signOut();
    expect(auth).toBe('Bearer ending');
  });
});
