import { QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse, delay } from 'msw';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { makeTask } from '../test/fixtures';
import { API, server } from '../test/server';
import { ownWrites, useCreateTask, useDeleteTask, useTaskList, useUpdateTask } from './hooks';
import { createQueryClient } from './queryClient';
import type { Task, TaskStatus } from './types';

/** Serves each column the tasks `current()` holds at the time of the request, after `latencyMs`. */
function columns(current: () => Task[], latencyMs = 0) {
  server.use(
    http.get(`${API}/tasks`, async ({ request }) => {
      if (latencyMs > 0) await delay(latencyMs);
      const status = new URL(request.url).searchParams.get('status') as TaskStatus;
      const matching = current().filter((t) => t.status === status);
      return HttpResponse.json(matching, { headers: { 'X-Total-Count': String(matching.length) } });
    }),
    http.get(`${API}/tasks/stats`, () => HttpResponse.json({})),
  );
}

function renderBoardHooks() {
  const client = createQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return renderHook(
    () => ({
      todo: useTaskList({ filters: { status: ['todo'] }, sort: '-updated_at' }),
      done: useTaskList({ filters: { status: ['done'] }, sort: '-updated_at' }),
      update: useUpdateTask(),
      remove: useDeleteTask(),
    }),
    { wrapper },
  );
}

const ids = (list: { data?: { pages: { tasks: Task[] }[] } | undefined }) => list.data?.pages.flatMap((p) => p.tasks.map((t) => t.id));

describe('useUpdateTask', () => {
  it('moves the card at once, and rolls the move back when the server answers 412', async () => {
    const task = makeTask({ status: 'todo', version: 2 });
    columns(() => [task]);
    let release: () => void = () => undefined;
    const answered = new Promise<void>((r) => {
      release = r;
    });
    server.use(
      http.patch(`${API}/tasks/${task.id}`, async () => {
        await answered;
        return HttpResponse.json({ detail: 'The task was changed by someone else' }, { status: 412 });
      }),
    );
    const { result } = renderBoardHooks();
    await waitFor(() => {
      expect(ids(result.current.todo)).toEqual([task.id]);
    });

    act(() => {
      result.current.update.mutate({ task, changes: { status: 'done' } });
    });
    // Shown at once, before the server has answered.
    await waitFor(() => {
      expect(ids(result.current.done)).toEqual([task.id]);
    });
    expect(ids(result.current.todo)).toEqual([]);

    release();
    await waitFor(() => {
      expect(result.current.update.isError).toBe(true);
    });
    expect(ids(result.current.todo)).toEqual([task.id]);
    expect(ids(result.current.done)).toEqual([]);
  });

  it('keeps the move when the server accepts it', async () => {
    const task = makeTask({ status: 'todo' });
    let stored: Task = task;
    columns(() => [stored], 5);
    server.use(
      http.patch(`${API}/tasks/${task.id}`, async ({ request }) => {
        expect(request.headers.get('If-Match')).toBe('"1"');
        stored = { ...stored, ...((await request.json()) as Partial<Task>), version: 2 };
        return HttpResponse.json(stored);
      }),
    );
    const { result } = renderBoardHooks();
    await waitFor(() => {
      expect(ids(result.current.todo)).toEqual([task.id]);
    });
    act(() => {
      result.current.update.mutate({ task, changes: { status: 'done' } });
    });
    await waitFor(() => {
      expect(result.current.update.isSuccess).toBe(true);
    });
    await waitFor(() => {
      expect(result.current.done.data?.pages[0]?.tasks[0]?.version).toBe(2);
    });
    expect(ids(result.current.todo)).toEqual([]);
  });

  it('a second move of the same card right after the first sends the version the first produced', async () => {
    const task = makeTask({ status: 'todo', version: 1 });
    let stored: Task = task;
    const ifMatches: (string | null)[] = [];
    columns(() => [stored]);
    server.use(
      http.patch(`${API}/tasks/${task.id}`, async ({ request }) => {
        const ifMatch = request.headers.get('If-Match');
        ifMatches.push(ifMatch);
        if (ifMatch !== `"${String(stored.version)}"`) return HttpResponse.json({ detail: 'stale' }, { status: 412 });
        stored = { ...stored, ...((await request.json()) as Partial<Task>), version: stored.version + 1 };
        return HttpResponse.json(stored);
      }),
    );
    const { result } = renderBoardHooks();
    await waitFor(() => {
      expect(ids(result.current.todo)).toEqual([task.id]);
    });
    // Both moves start from the card as the page first showed it (version 1), before any refetch.
    act(() => {
      result.current.update.mutate({ task, changes: { status: 'done' } });
      result.current.update.mutate({ task: { ...task, status: 'done' }, changes: { status: 'in_progress' } });
    });
    await waitFor(() => {
      expect(stored.version).toBe(3);
    });
    expect(ifMatches).toEqual(['"1"', '"2"']);
    expect(stored.status).toBe('in_progress');
  });
});

describe('useCreateTask', () => {
  it('shows the new task in a list whose first load began before the write', async () => {
    const stored: Task[] = [];
    let listRequests = 0;
    server.use(
      http.get(`${API}/tasks`, async () => {
        listRequests += 1;
        // The list as it stood when the request arrived, answered later: a first load slower than the write.
        const matching = [...stored];
        await delay(300);
        return HttpResponse.json(matching, { headers: { 'X-Total-Count': String(matching.length) } });
      }),
      http.get(`${API}/tasks/stats`, () => HttpResponse.json({})),
      http.post(`${API}/tasks`, async ({ request }) => {
        const created = makeTask({ ...((await request.json()) as Partial<Task>), status: 'todo' });
        stored.push(created);
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const client = createQueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    const { result } = renderHook(
      () => ({ todo: useTaskList({ filters: { status: ['todo'] }, sort: '-updated_at' }), create: useCreateTask() }),
      { wrapper },
    );
    await waitFor(() => {
      expect(listRequests).toBe(1);
    });
    act(() => {
      result.current.create.mutate({ title: 'Made while the board loads' });
    });
    await waitFor(() => {
      expect(result.current.create.isSuccess).toBe(true);
    });
    await waitFor(() => {
      expect(ids(result.current.todo)).toEqual([stored[0]?.id]);
    });
    expect(listRequests).toBe(2);
  });
});

describe('the record of our own writes', () => {
  /** A server that applies PATCHes and DELETEs with If-Match, as the API does. */
  function serverOf(initial: Task[]) {
    let stored = initial;
    columns(() => stored);
    server.use(
      http.patch(`${API}/tasks/:id`, async ({ request, params }) => {
        const current = stored.find((t) => t.id === params.id);
        if (!current) return HttpResponse.json({ detail: 'Task not found' }, { status: 404 });
        if (request.headers.get('If-Match') !== `"${String(current.version)}"`) return HttpResponse.json({ detail: 'stale' }, { status: 412 });
        const saved = { ...current, ...((await request.json()) as Partial<Task>), version: current.version + 1 };
        stored = stored.map((t) => (t.id === saved.id ? saved : t));
        return HttpResponse.json(saved);
      }),
      http.delete(`${API}/tasks/:id`, ({ params }) => {
        stored = stored.filter((t) => t.id !== params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
  }

  /** The board's hooks over a server holding `task`, once its column shows it. */
  async function boardShowing(task: Task) {
    serverOf([task]);
    const { result } = renderBoardHooks();
    await waitFor(() => {
      expect(ids(result.current.todo)).toEqual([task.id]);
    });
    return result;
  }

  it('lets go of a task once its writes have settled and the refetched lists hold the version they produced', async () => {
    const task = makeTask({ status: 'todo', version: 1 });
    const result = await boardShowing(task);
    act(() => {
      result.current.update.mutate({ task, changes: { status: 'done' } });
      result.current.update.mutate({ task: { ...task, status: 'done' }, changes: { status: 'in_progress' } });
    });
    await waitFor(() => {
      expect(result.current.update.isSuccess).toBe(true);
    });
    await waitFor(() => {
      expect(ownWrites.has(task.id)).toBe(false);
    });
  });

  it('keeps a task while a list still shows a copy older than our last write', async () => {
    const task = makeTask({ status: 'todo', version: 1 });
    const result = await boardShowing(task);
    // The server answers, but the lists' refetch keeps failing: they still show version 1 afterwards.
    server.use(http.get(`${API}/tasks`, () => HttpResponse.json({ detail: 'Database unavailable' }, { status: 503 })));
    act(() => {
      result.current.update.mutate({ task, changes: { priority: 'high' } });
    });
    await waitFor(() => {
      expect(result.current.update.isSuccess).toBe(true);
    });
    await waitFor(() => {
      expect(result.current.todo.isFetching).toBe(false);
    });
    expect(result.current.todo.data?.pages[0]?.tasks[0]?.version).toBe(1);
    expect(ownWrites.current(task.id, 1)).toBe(2);
  });

  it('forgets a task once it is deleted', async () => {
    const task = makeTask({ status: 'todo', version: 1 });
    const result = await boardShowing(task);
    act(() => {
      result.current.update.mutate({ task, changes: { priority: 'high' } });
      result.current.remove.mutate(task);
    });
    await waitFor(() => {
      expect(result.current.remove.isSuccess).toBe(true);
    });
    expect(ownWrites.has(task.id)).toBe(false);
  });

  it('does not grow with every task the page writes', async () => {
    const tasks = Array.from({ length: 30 }, () => makeTask({ status: 'todo', version: 1 }));
    serverOf(tasks);
    const { result } = renderBoardHooks();
    await waitFor(() => {
      expect(ids(result.current.todo)).toHaveLength(30);
    });
    for (const task of tasks) {
      await act(async () => {
        await result.current.update.mutateAsync({ task, changes: { priority: 'high' } });
      });
    }
    await waitFor(() => {
      expect(ownWrites.size).toBe(0);
    });
  });
});
