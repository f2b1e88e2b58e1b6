import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, server } from '../test/server';
import { makeTask } from '../test/fixtures';
import { getHealth, listTasks, updateTask, createTask, deleteTask } from './client';
import { ApiError, UnreachableError } from './errors';

describe('listTasks', () => {
  it('sends repeatable filters, sort and paging, and reads the total from X-Total-Count', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(`${API}/tasks`, ({ request }) => {
        seen = new URL(request.url);
        return HttpResponse.json([makeTask()], { headers: { 'X-Total-Count': '250' } });
      }),
    );
    const page = await listTasks({
      filters: { status: ['todo', 'done'], priority: ['high'], assignee: ' ann ', overdue: true, q: 'report' },
      sort: '-due_date',
      limit: 100,
      offset: 200,
    });
    expect(seen?.searchParams.getAll('status')).toEqual(['todo', 'done']);
    expect(seen?.searchParams.getAll('priority')).toEqual(['high']);
    expect(seen?.searchParams.get('assignee')).toBe('ann');
    expect(seen?.searchParams.get('overdue')).toBe('true');
    expect(seen?.searchParams.get('q')).toBe('report');
    expect(seen?.searchParams.get('sort')).toBe('-due_date');
    expect(seen?.searchParams.get('limit')).toBe('100');
    expect(seen?.searchParams.get('offset')).toBe('200');
    expect(page.total).toBe(250);
    expect(page.tasks).toHaveLength(1);
  });

  it('leaves out filters that are not set', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(`${API}/tasks`, ({ request }) => {
        seen = new URL(request.url);
        return HttpResponse.json([], { headers: { 'X-Total-Count': '0' } });
      }),
    );
    await listTasks({ filters: { status: [], priority: [], assignee: '', overdue: false, q: '' }, sort: 'title', limit: 10, offset: 0 });
    expect([...(seen?.searchParams.keys() ?? [])].sort()).toEqual(['limit', 'offset', 'sort']);
  });
});

describe('writes', () => {
  it('PATCH sends only the changes, with the task version as If-Match', async () => {
    const task = makeTask({ version: 3 });
    let ifMatch: string | null = null;
    let body: unknown;
    server.use(
      http.patch(`${API}/tasks/${task.id}`, async ({ request }) => {
        ifMatch = request.headers.get('If-Match');
        body = await request.json();
        return HttpResponse.json({ ...task, status: 'done', version: 4 });
      }),
    );
    const saved = await updateTask(task, { status: 'done' });
    expect(ifMatch).toBe('"3"');
    expect(body).toEqual({ status: 'done' });
    expect(saved.version).toBe(4);
  });

  it('a 412 is a conflict', async () => {
    const task = makeTask();
    server.use(http.patch(`${API}/tasks/${task.id}`, () => HttpResponse.json({ detail: 'Precondition failed' }, { status: 412 })));
    const error = await updateTask(task, { title: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isConflict).toBe(true);
  });

  it('a 422 maps each message to its field', async () => {
    server.use(
      http.post(`${API}/tasks`, () =>
        HttpResponse.json(
          {
            detail: [
              { loc: ['body', 'title'], msg: 'String should have at least 1 character', type: 'string_too_short' },
              { loc: ['body', 'assignee'], msg: 'String should have at most 100 characters', type: 'string_too_long' },
            ],
          },
          { status: 422 },
        ),
      ),
    );
    const error = (await createTask({ title: ' ' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(422);
    expect(error.fieldErrors).toEqual({
      title: 'String should have at least 1 character',
      assignee: 'String should have at most 100 characters',
    });
  });

  it('DELETE sends If-Match too', async () => {
    const task = makeTask({ version: 7 });
    let ifMatch: string | null = null;
    server.use(
      http.delete(`${API}/tasks/${task.id}`, ({ request }) => {
        ifMatch = request.headers.get('If-Match');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await deleteTask(task);
    expect(ifMatch).toBe('"7"');
  });
});

describe('reachability', () => {
  it('a network failure is UnreachableError', async () => {
    server.use(http.get(`${API}/tasks/stats`, () => HttpResponse.error()));
    const { getStats } = await import('./client');
    await expect(getStats()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('a gateway 502 is UnreachableError, but an API 503 is an ApiError', async () => {
    server.use(http.get(`${API}/tasks`, () => new HttpResponse('Bad Gateway', { status: 502 })));
    await expect(listTasks({ filters: {}, sort: 'title', limit: 1, offset: 0 })).rejects.toBeInstanceOf(UnreachableError);
    server.use(
      http.get(`${API}/tasks`, () => HttpResponse.json({ detail: 'Database unavailable' }, { status: 503, headers: { 'Retry-After': '1' } })),
    );
    const error = await listTasks({ filters: {}, sort: 'title', limit: 1, offset: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('Database unavailable');
  });

  it('/health: 200 is connected, 503 degraded, no answer unreachable', async () => {
    server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })));
    expect((await getHealth()).connection).toBe('connected');
    server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'degraded', database: 'error' }, { status: 503 })));
    expect((await getHealth()).connection).toBe('degraded');
    server.use(http.get(`${API}/health`, () => HttpResponse.error()));
    expect((await getHealth()).connection).toBe('unreachable');
  });
});
