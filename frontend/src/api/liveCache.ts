// The live stream's events applied to TanStack Query's cache: a task's newest version wins, a deleted task leaves.
import type { QueryClient } from '@tanstack/react-query';
import { withTaskChanged, withTaskRemoved, type TaskPages } from './cache';
import { queryKeys, type TaskListParams } from './queryKeys';
import type { Task } from './types';

export interface TaskEvent {
  type: 'task.created' | 'task.updated' | 'task.deleted';
  id: string;
  version: number;
  /** The task as the change left it; null for a deletion. */
  task: Task | null;
}

export type StreamEvent = TaskEvent | { type: 'resync' };

const TASK_TYPES = new Set(['task.created', 'task.updated', 'task.deleted']);

/** An event's `data`, or null when it is not one this app knows (a later API may send more kinds). */
export function parseStreamEvent(data: string): StreamEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as { type?: unknown; id?: unknown; version?: unknown; task?: Task | null };
  if (event.type === 'resync') return { type: 'resync' };
  if (typeof event.type !== 'string' || !TASK_TYPES.has(event.type)) return null;
  const type = event.type as TaskEvent['type'];
  if (typeof event.id !== 'string' || typeof event.version !== 'number') return null;
  if (type !== 'task.deleted' && (typeof event.task !== 'object' || event.task === null)) return null;
  return { type, id: event.id, version: event.version, task: event.task ?? null };
}

/** Whether a list's filters, other than status, narrow it: only the server can say if a task belongs there. */
function filtersBeyondStatus(params: TaskListParams): boolean {
  const { priority, assignee, overdue, q } = params.filters;
  return Boolean(priority?.length) || Boolean(assignee?.trim()) || Boolean(overdue) || Boolean(q?.trim());
}

function versionIn(data: TaskPages, id: string): number | undefined {
  for (const page of data.pages) {
    const found = page.tasks.find((t) => t.id === id);
    if (found) return found.version;
  }
  return undefined;
}

/**
 * Applies one task event to every cached copy: the detail and each list (a board column is a list
 * filtered by status). A copy at the event's version or newer is left alone, so an event that echoes
 * this page's own write, or arrives twice after a resume, changes nothing. Returns whether anything
 * was stale, i.e. whether the lists, counts and stats need the server's word (a new task's place in a
 * sorted or filtered list, a count) and should be refetched. `dryRun` only answers that, changing nothing.
 */
export function applyTaskEvent(client: QueryClient, event: TaskEvent, dryRun = false): boolean {
  let stale = false;
  const detailKey = queryKeys.task(event.id);
  const detail = client.getQueryData<Task>(detailKey);
  if (event.type === 'task.deleted') {
    if (detail) {
      stale = true;
      if (dryRun) return true;
      // An open dialog still observes it while it closes; it is dropped once nobody does.
      const query = client.getQueryCache().find({ queryKey: detailKey, exact: true });
      if (!query || query.getObserversCount() === 0) client.removeQueries({ queryKey: detailKey, exact: true });
    }
  } else if (event.task && detail && detail.version < event.version) {
    stale = true;
    if (dryRun) return true;
    client.setQueryData(detailKey, event.task);
  }

  for (const [key, data] of client.getQueriesData<TaskPages>({ queryKey: queryKeys.taskLists })) {
    const params = key[2] as TaskListParams | undefined;
    if (!data || !params) continue;
    const held = versionIn(data, event.id);
    if (event.type === 'task.deleted') {
      if (held !== undefined) {
        stale = true;
        if (dryRun) return true;
        client.setQueryData<TaskPages>(key, withTaskRemoved(data, event.id));
      }
      continue;
    }
    if (!event.task) continue;
    if (held !== undefined && held >= event.version) continue;
    // Absent from this list: a new task, or one that may have moved into it. Put straight into a board
    // column it fits when nothing else filters it; otherwise the refetch places it.
    stale = true;
    if (dryRun) return true;
    if (held === undefined && filtersBeyondStatus(params)) continue;
    client.setQueryData<TaskPages>(key, withTaskChanged(data, event.task, params.filters));
  }
  return stale;
}
