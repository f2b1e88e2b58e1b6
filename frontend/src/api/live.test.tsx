// The live stream's events in the cache (newer wins, older ignored, a deletion leaves), the debounced refetch, the indicator.
import { QueryClient } from '@tanstack/react-query';
import { act, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveIndicator } from '../status/LiveIndicator';
import { makeTask, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import type { TaskPages } from './cache';
import { REFRESH_DEBOUNCE_MS, taskEventHandler, useLiveEvents } from './live';
import { applyTaskEvent, parseStreamEvent, type TaskEvent } from './liveCache';
import { queryKeys, type TaskListParams } from './queryKeys';
import type { Task } from './types';

function pages(...tasks: Task[]): TaskPages {
  return { pages: [{ tasks, total: tasks.length, offset: 0 }], pageParams: [0] };
}

const column = (status: Task['status'], more: Partial<TaskListParams['filters']> = {}): TaskListParams => ({
  filters: { status: [status], ...more },
  sort: '-created_at',
});

function titles(client: QueryClient, params: TaskListParams): string[] {
  return client.getQueryData<TaskPages>(queryKeys.taskList(params))?.pages.flatMap((p) => p.tasks.map((t) => t.title)) ?? [];
}

const updated = (task: Task): TaskEvent => ({ type: 'task.updated', id: task.id, version: task.version, task });

describe('parseStreamEvent', () => {
  it('reads task events and resync, and refuses what it does not know', () => {
    const task = makeTask();
    expect(parseStreamEvent(JSON.stringify(updated(task)))).toEqual(updated(task));
    expect(parseStreamEvent('{"type": "resync"}')).toEqual({ type: 'resync' });
    expect(parseStreamEvent(JSON.stringify({ type: 'task.deleted', id: task.id, version: 3, task: null }))).toEqual({
      type: 'task.deleted',
      id: task.id,
      version: 3,
      task: null,
    });
    expect(parseStreamEvent('not json')).toBeNull();
    expect(parseStreamEvent('{"type": "task.renamed", "id": "x", "version": 1}')).toBeNull();
    expect(parseStreamEvent('{"type": "task.updated", "id": "x", "version": 2, "task": null}')).toBeNull();
  });
});

describe('applyTaskEvent', () => {
  it('a newer version replaces the cached one, in the detail and in the lists', () => {
    const client = new QueryClient();
    const task = makeTask({ title: 'Old', version: 2 });
    client.setQueryData(queryKeys.task(task.id), task);
    client.setQueryData(queryKeys.taskList(column('todo')), pages(task));

    const stale = applyTaskEvent(client, updated({ ...task, title: 'New', version: 3 }));

    expect(stale).toBe(true);
    expect(client.getQueryData<Task>(queryKeys.task(task.id))?.title).toBe('New');
    expect(titles(client, column('todo'))).toEqual(['New']);
  });

  it('an older or equal version changes nothing (an echo of our own write, a resumed duplicate)', () => {
    const client = new QueryClient();
    const task = makeTask({ title: 'Newest', version: 5 });
    const list = pages(task);
    client.setQueryData(queryKeys.task(task.id), task);
    client.setQueryData(queryKeys.taskList(column('todo')), list);

    expect(applyTaskEvent(client, updated({ ...task, title: 'Older', version: 4 }))).toBe(false);
    expect(applyTaskEvent(client, updated({ ...task, title: 'Same', version: 5 }))).toBe(false);

    expect(client.getQueryData<Task>(queryKeys.task(task.id))?.title).toBe('Newest');
    // The very same object: no re-render, no flicker.
    expect(client.getQueryData(queryKeys.taskList(column('todo')))).toBe(list);
  });

  it('a move leaves one column and enters the other', () => {
    const client = new QueryClient();
    const task = makeTask({ title: 'Moving', status: 'todo', version: 1 });
    const other = makeTask({ title: 'Other', status: 'done' });
    client.setQueryData(queryKeys.taskList(column('todo')), pages(task));
    client.setQueryData(queryKeys.taskList(column('done')), pages(other));

    applyTaskEvent(client, updated({ ...task, status: 'done', version: 2 }));

    expect(titles(client, column('todo'))).toEqual([]);
    expect(titles(client, column('done'))).toEqual(['Moving', 'Other']);
  });

  it('a new task enters the column it fits, but not a list other filters narrow (the refetch decides there)', () => {
    const client = new QueryClient();
    const created = makeTask({ title: 'Fresh', status: 'in_progress', assignee: 'Ana' });
    const byBob = column('in_progress', { assignee: 'Bob' });
    client.setQueryData(queryKeys.taskList(column('in_progress')), pages());
    client.setQueryData(queryKeys.taskList(column('todo')), pages());
    client.setQueryData(queryKeys.taskList(byBob), pages());

    const stale = applyTaskEvent(client, { type: 'task.created', id: created.id, version: 1, task: created });

    expect(stale).toBe(true);
    expect(titles(client, column('in_progress'))).toEqual(['Fresh']);
    expect(titles(client, column('todo'))).toEqual([]);
    expect(titles(client, byBob)).toEqual([]);
  });

  it('a deleted task leaves every list and its detail; one no list shows changes nothing', () => {
    const client = new QueryClient();
    const task = makeTask({ title: 'Doomed', version: 3 });
    const kept = makeTask({ title: 'Kept' });
    client.setQueryData(queryKeys.task(task.id), task);
    client.setQueryData(queryKeys.taskList(column('todo')), pages(task, kept));
    client.setQueryData(queryKeys.taskList({ filters: {}, sort: 'title' }), pages(kept, task));

    expect(applyTaskEvent(client, { type: 'task.deleted', id: task.id, version: 3, task: null })).toBe(true);

    expect(titles(client, column('todo'))).toEqual(['Kept']);
    expect(titles(client, { filters: {}, sort: 'title' })).toEqual(['Kept']);
    expect(client.getQueryData(queryKeys.task(task.id))).toBeUndefined();
    expect(client.getQueryData<TaskPages>(queryKeys.taskList(column('todo')))?.pages[0]?.total).toBe(1);
    expect(applyTaskEvent(client, { type: 'task.deleted', id: task.id, version: 3, task: null })).toBe(false);
  });
});

describe('taskEventHandler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refetches lists, counts and stats once, 250 ms after a burst of events; a resync at once', () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const a = makeTask({ status: 'todo' });
    const b = makeTask({ status: 'todo' });
    client.setQueryData(queryKeys.taskList(column('todo')), pages(a, b));
    const handler = taskEventHandler(client);

    handler.handle(JSON.stringify(updated({ ...a, version: 2 })));
    vi.advanceTimersByTime(REFRESH_DEBOUNCE_MS - 50);
    handler.handle(JSON.stringify(updated({ ...b, version: 2 })));
    vi.advanceTimersByTime(REFRESH_DEBOUNCE_MS - 1);
    expect(invalidate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(invalidate.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([queryKeys.tasks, queryKeys.stats]);

    invalidate.mockClear();
    handler.handle('{"type": "resync"}');
    expect(invalidate.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([queryKeys.tasks, queryKeys.stats]);
    handler.stop();
  });

  it('a new task refetches the counts and stats even when no list is cached (an empty board shows none)', () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const created = makeTask();
    const handler = taskEventHandler(client);

    handler.handle(JSON.stringify({ type: 'task.created', id: created.id, version: 1, task: created }));
    vi.advanceTimersByTime(REFRESH_DEBOUNCE_MS);

    expect(invalidate.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([queryKeys.tasks, queryKeys.stats]);
  });

  it('an event every cached copy already holds (our own write echoed) refetches nothing', () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const task = makeTask({ version: 4 });
    client.setQueryData(queryKeys.taskList(column('todo')), pages(task));
    const handler = taskEventHandler(client);

    handler.handle(JSON.stringify(updated(task)));
    vi.advanceTimersByTime(10 * REFRESH_DEBOUNCE_MS);

    expect(invalidate).not.toHaveBeenCalled();
  });
});

describe('an event arriving while a list is being read', () => {
  it('the read, answered before the change, does not put the older version back', async () => {
    const client = new QueryClient();
    const params = column('todo');
    const task = makeTask({ title: 'Before', version: 1 });
    client.setQueryData(queryKeys.taskList(params), pages(task));
    // A refetch the server answers with the version from before the change, once the event is in.
    let answer!: (page: TaskPages['pages'][number]) => void;
    const read = client.infiniteQuery({
      queryKey: queryKeys.taskList(params),
      queryFn: () =>
        new Promise<TaskPages['pages'][number]>((resolve) => {
          answer = resolve;
        }),
      initialPageParam: 0,
    });
    const handler = taskEventHandler(client);

    handler.handle(JSON.stringify(updated({ ...task, title: 'After', version: 2 })));
    answer({ tasks: [task], total: 1, offset: 0 });
    await read.catch(() => undefined);
    await vi.waitFor(() => {
      expect(titles(client, params)).toEqual(['After']);
    });
    handler.stop();
  });
});

function LivePage() {
  useLiveEvents();
  return <LiveIndicator />;
}

describe('LiveIndicator', () => {
  it('says Live while the stream is open, Reconnecting… when it fails, and nothing once the page leaves', async () => {
    const { unmount } = renderWithClient(<LivePage />);
    const live = await screen.findByTestId('live');
    await vi.waitFor(() => {
      expect(live).toHaveTextContent('Live');
    });
    expect(live).toHaveAttribute('role', 'status');
    unmount();
    expect(screen.queryByTestId('live')).toBeNull();

    // The API cannot be reached: the first attempt fails.
    server.use(http.get(`${API}/events`, () => HttpResponse.error()));
    renderWithClient(<LivePage />);
    await vi.waitFor(() => {
      expect(screen.getByTestId('live')).toHaveTextContent('Reconnecting…');
    });
  });

  it('is not shown where no page keeps the stream open', () => {
    renderWithClient(<LiveIndicator />);
    expect(screen.queryByTestId('live')).toBeNull();
  });

  it('a 401 on the stream ends the session it was sent with', async () => {
    const { startSession, currentSession } = await import('./session');
    startSession('expired-token', 3600);
    server.use(http.get(`${API}/events`, () => new HttpResponse(null, { status: 401 })));
    renderWithClient(<LivePage />);
    await vi.waitFor(() => {
      expect(currentSession()).toMatchObject({ token: null, ended: true });
    });
    act(() => undefined);
  });
});
