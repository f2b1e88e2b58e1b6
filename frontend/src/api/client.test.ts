import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, server } from '../test/server';
import { makeTask } from '../test/fixtures';
import { createTask, deleteTask, getHealth, getStats, getTask, listTasks, updateTask } from './client';
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

  it('without X-Total-Count the total is what has been seen so far', async () => {
    server.use(http.get(`${API}/tasks`, () => HttpResponse.json([makeTask(), makeTask()])));
    const page = await listTasks({ filters: {}, sort: 'title', limit: 10, offset: 40 });
    expect(page.total).toBe(42);
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

describe('reads', () => {
  it('ask for JSON and answer the typed body', async () => {
    const task = makeTask({ title: 'Typed' });
    let accept: string | null = null;
    server.use(
      http.get(`${API}/tasks/${task.id}`, ({ request }) => {
        accept = request.headers.get('Accept');
        return HttpResponse.json(task);
      }),
    );
    expect(await getTask(task.id)).toEqual(task);
    expect(accept).toBe('application/json');
  });

  it('put the id in the path encoded', async () => {
    let path: string | undefined;
    server.use(
      http.get(`${API}/tasks/:id`, ({ request }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ detail: 'Task not found' }, { status: 404 });
      }),
    );
    const error = await getTask('a/b c').catch((e: unknown) => e);
    expect(path).toBe('/tasks/a%2Fb%20c');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).message).toBe('Task not found');
  });

  it('pass the caller\'s AbortSignal on: a cancelled read rejects as an abort, not as an unreachable server', async () => {
    let started: () => void = () => undefined;
    const arrived = new Promise<void>((r) => {
      started = r;
    });
    server.use(
      http.get(`${API}/tasks/stats`, async () => {
        started();
        await new Promise((r) => setTimeout(r, 1_000));
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = getStats(controller.signal).catch((e: unknown) => e);
    await arrived;
    controller.abort();
    const error = await pending;
    expect(error).not.toBeInstanceOf(UnreachableError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('an error answer without a body is still an ApiError with its status', async () => {
    server.use(http.get(`${API}/tasks/stats`, () => new HttpResponse(null, { status: 500 })));
    const error = (await getStats().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(500);
    expect(error.message).toBe('The server answered 500.');
  });

  it('a success without the body the schema promises is an ApiError, not undefined data', async () => {
    server.use(http.get(`${API}/tasks/stats`, () => new HttpResponse(null, { status: 200 })));
    await expect(getStats()).rejects.toBeInstanceOf(ApiError);
  });
});

describe('writes', () => {
  it('POST sends the body as JSON and answers the created task', async () => {
    let contentType: string | null = null;
    let body: unknown;
    server.use(
      http.post(`${API}/tasks`, async ({ request }) => {
        contentType = request.headers.get('Content-Type');
        body = await request.json();
        return HttpResponse.json(makeTask({ title: 'New' }), { status: 201 });
      }),
    );
    const created = await createTask({ title: 'New', priority: 'high' });
    expect(contentType).toBe('application/json');
    expect(body).toEqual({ title: 'New', priority: 'high' });
    expect(created.title).toBe('New');
  });

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
    await expect(getStats()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('a gateway 502 or 504 is UnreachableError, but an API 503 is an ApiError', async () => {
    server.use(http.get(`${API}/tasks`, () => new HttpResponse('Bad Gateway', { status: 502 })));
    await expect(listTasks({ filters: {}, sort: 'title', limit: 1, offset: 0 })).rejects.toBeInstanceOf(UnreachableError);
    server.use(http.patch(`${API}/tasks/:id`, () => new HttpResponse('Gateway Timeout', { status: 504 })));
    await expect(updateTask(makeTask(), { title: 'x' })).rejects.toBeInstanceOf(UnreachableError);
    server.use(
      http.get(`${API}/tasks`, () => HttpResponse.json({ detail: 'Database unavailable' }, { status: 503, headers: { 'Retry-After': '1' } })),
    );
    const error = await listTasks({ filters: {}, sort: 'title', limit: 1, offset: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('Database unavailable');
  });

  it('/health: 200 is connected, 503 degraded, no answer unreachable', async () => {
    server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })));
    expect(await getHealth()).toEqual({ connection: 'connected', health: { status: 'healthy', database: 'connected' } });
    server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'degraded', database: 'error' }, { status: 503 })));
    expect((await getHealth()).connection).toBe('degraded');
    server.use(http.get(`${API}/health`, () => HttpResponse.error()));
    expect((await getHealth()).connection).toBe('unreachable');
  });
});
