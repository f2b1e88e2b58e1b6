// TanStack Query hooks: the only way components read or change server state.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { withChanges, withTaskChanged, withTaskRemoved, type TaskPages } from './cache';
import { createTask, deleteTask, getHealth, getStats, getTask, listTasks, updateTask, type Connection } from './client';
import { OwnWrites } from './ownWrites';
import { refetchAfterWrite } from './queryClient';
import { queryKeys, type TaskListParams } from './queryKeys';
import type { Task, TaskCreate, TaskUpdate } from './types';

/** How many tasks one request asks for; the list loads the next page as the user scrolls. */
export const PAGE_SIZE = 100;

const HEALTH_POLL_MS = 15_000;
/** While the server or its database is away, asked more often (the API's Retry-After is 5 s). */
const RECOVERY_POLL_MS = 5_000;

export function useTaskList(params: TaskListParams) {
  return useInfiniteQuery({
    queryKey: queryKeys.taskList(params),
    queryFn: ({ pageParam, signal }) => listTasks({ ...params, limit: PAGE_SIZE, offset: pageParam }, signal),
    initialPageParam: 0,
    getNextPageParam: (last) => {
      const next = last.offset + last.tasks.length;
      return last.tasks.length > 0 && next < last.total ? next : undefined;
    },
  });
}

export function useTask(id: string | null) {
  return useQuery({
    queryKey: queryKeys.task(id ?? ''),
    queryFn: ({ signal }) => getTask(id ?? '', signal),
    enabled: id !== null,
  });
}

export function useStats() {
  return useQuery({ queryKey: queryKeys.stats, queryFn: ({ signal }) => getStats(signal) });
}

export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: ({ signal }) => getHealth(signal),
    refetchInterval: (query) => (query.state.data?.connection === 'connected' ? HEALTH_POLL_MS : RECOVERY_POLL_MS),
    retry: false,
  });
}

/** What a task write can change: every list, count and task, and the stats bar. */
const TASK_VIEWS = [queryKeys.tasks, queryKeys.stats];

/**
 * Every list, count and the stats bar, refetched from the server: after any write, and after an outage. Not
 * awaited by the mutations: the caller's own callbacks (closing a dialog) must not wait for, or race with, it.
 */
export function refreshTaskViews(client: QueryClient): Promise<void> {
  return Promise.all(TASK_VIEWS.map((queryKey) => client.invalidateQueries({ queryKey }))).then(() => undefined);
}

/**
 * The task views after this page's own write. Unlike `refreshTaskViews` (also the live stream's and the polling
 * fallback's), a fetch still in flight is cancelled first: it began before the write and may not show it, and
 * invalidation joins it when it is a first load (see `refetchAfterWrite`). Cancelling on every live event could
 * keep restarting a slow list; a person's own writes come one at a time.
 */
function refreshAfterOwnWrite(client: QueryClient): Promise<void> {
  return Promise.all(TASK_VIEWS.map((queryKey) => refetchAfterWrite(client, queryKey))).then(() => undefined);
}

/** Once /health answers again after an outage, the task views and the stats are fetched anew: what failed shows without a Retry. */
export function useRefetchOnRecovery(connection: Connection | undefined): void {
  const client = useQueryClient();
  const previous = useRef(connection);
  useEffect(() => {
    const was = previous.current;
    previous.current = connection;
    if (connection === 'connected' && was !== undefined && was !== 'connected') void refreshTaskViews(client);
  }, [client, connection]);
}

type Snapshot = [QueryKey, TaskPages | undefined][];

function listParamsOf(key: QueryKey): TaskListParams | undefined {
  return key[2] as TaskListParams | undefined;
}

async function applyOptimistically(client: QueryClient, edit: (data: TaskPages, params: TaskListParams) => TaskPages): Promise<Snapshot> {
  await client.cancelQueries({ queryKey: queryKeys.taskLists });
  const snapshot = client.getQueriesData<TaskPages>({ queryKey: queryKeys.taskLists });
  for (const [key, data] of snapshot) {
    const params = listParamsOf(key);
    if (data && params) client.setQueryData<TaskPages>(key, edit(data, params));
  }
  return snapshot;
}

function restore(client: QueryClient, snapshot: Snapshot | undefined): void {
  for (const [key, data] of snapshot ?? []) client.setQueryData(key, data);
}

/** Writes to tasks run one after another, so each knows the version the previous one produced. */
const WRITE_SCOPE = { id: 'task-writes' };
export const TASK_WRITES_KEY = ['task-writes'];

export function useCreateTask() {
  const client = useQueryClient();
  return useMutation({
    // Counted as a task write, so the live stream's echo of it does not pass for someone else's.
    mutationKey: TASK_WRITES_KEY,
    mutationFn: (task: TaskCreate) => createTask(task),
    onSettled: () => {
      void refreshAfterOwnWrite(client);
    },
  });
}


export const ownWrites = new OwnWrites();

/** The task with the newest version this page's own writes lead to from the version it carries. */
export function currentBase(task: Task): Task {
  const version = ownWrites.current(task.id, task.version);
  return version === task.version ? task : { ...task, version };
}

/**
 * Drops the chains no copy of a task can need any more: once no task write is pending or queued (a queued
 * one may still carry an old version) and every cached copy of the task is at least at the newest version
 * our writes produced (or none is cached). Run after each write's refetch, so the map shrinks back as the
 * page settles instead of growing with every write.
 */
function settleOwnWrites(client: QueryClient): void {
  if (client.isMutating({ mutationKey: TASK_WRITES_KEY }) > 0) return;
  const lowest = new Map<string, number>();
  const seen = (task: Task) => {
    lowest.set(task.id, Math.min(task.version, lowest.get(task.id) ?? Infinity));
  };
  for (const [, data] of client.getQueriesData<TaskPages>({ queryKey: queryKeys.taskLists })) {
    for (const page of data?.pages ?? []) page.tasks.forEach(seen);
  }
  for (const [, task] of client.getQueriesData<Task>({ queryKey: queryKeys.taskDetails })) if (task) seen(task);
  for (const id of ownWrites.ids()) {
    const held = lowest.get(id);
    const newest = ownWrites.newest(id);
    if (held === undefined || newest === undefined || held >= newest) ownWrites.forget(id);
  }
}

/** Refetches the views after a write, then lets go of what the write no longer needs remembered. */
function afterWrite(client: QueryClient): void {
  void refreshAfterOwnWrite(client).then(() => {
    settleOwnWrites(client);
  });
}

export interface TaskChange {
  /** The task as this page knows it: its version is sent as If-Match. */
  task: Task;
  changes: TaskUpdate;
}

/** PATCH with If-Match, shown at once in every cached list, rolled back if the server refuses. */
export function useUpdateTask() {
  const client = useQueryClient();
  return useMutation({
    scope: WRITE_SCOPE,
    mutationKey: TASK_WRITES_KEY,
    mutationFn: async ({ task, changes }: TaskChange) => {
      const base = currentBase(task);
      const saved = await updateTask(base, changes);
      ownWrites.record(base.id, base.version, saved.version);
      return saved;
    },
    onMutate: async ({ task, changes }) => {
      const next = withChanges(task, changes);
      const snapshot = await applyOptimistically(client, (data, params) => withTaskChanged(data, next, params.filters));
      return { snapshot };
    },
    onError: (_error, _change, context) => {
      restore(client, context?.snapshot);
    },
    onSuccess: (saved) => {
      client.setQueryData(queryKeys.task(saved.id), saved);
    },
    onSettled: () => {
      afterWrite(client);
    },
  });
}

export function useDeleteTask() {
  const client = useQueryClient();
  return useMutation({
    scope: WRITE_SCOPE,
    mutationKey: TASK_WRITES_KEY,
    mutationFn: (task: Task) => deleteTask(currentBase(task)),
    onMutate: async (task) => {
      const snapshot = await applyOptimistically(client, (data) => withTaskRemoved(data, task.id));
      return { snapshot };
    },
    onError: (_error, _task, context) => {
      restore(client, context?.snapshot);
    },
    onSuccess: (_nothing, task) => {
      ownWrites.forget(task.id);
      client.removeQueries({ queryKey: queryKeys.task(task.id) });
    },
    onSettled: () => {
      afterWrite(client);
    },
  });
}

/** Drops what this page knows about one task and fetches it again (after a 412). */
export function useReloadTasks() {
  const client = useQueryClient();
  return () => refreshTaskViews(client);
}
