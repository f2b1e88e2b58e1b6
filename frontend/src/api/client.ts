// The fetch client: one function per API operation, each returning typed data or throwing ApiError/UnreachableError.
import { apiUrl } from './config';
import { ApiError, UnreachableError, parseErrorBody } from './errors';
import type { Health, SortKey, Task, TaskCreate, TaskFilters, TaskStats, TaskUpdate } from './types';

/** A task's strong ETag is its version in quotes, so any copy of the task can make its If-Match. */
export function etagOf(task: Pick<Task, 'version'>): string {
  return `"${task.version}"`;
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { ...init, headers });
  } catch {
    throw new UnreachableError();
  }
  // A gateway (Render's edge, the dev proxy) answering 502/504 means the API itself did not.
  if (response.status === 502 || response.status === 504) throw new UnreachableError();
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw parseErrorBody(response.status, body);
  }
  return response;
}

function sendJson(path: string, method: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return send(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Query string for the shared filters; repeatable filters repeat (`status=todo&status=done`). */
export function filterParams(filters: Partial<TaskFilters>): URLSearchParams {
  const params = new URLSearchParams();
  for (const status of filters.status ?? []) params.append('status', status);
  for (const priority of filters.priority ?? []) params.append('priority', priority);
  if (filters.assignee?.trim()) params.set('assignee', filters.assignee.trim());
  if (filters.overdue) params.set('overdue', 'true');
  if (filters.q?.trim()) params.set('q', filters.q.trim());
  return params;
}

export interface TaskPageRequest {
  filters: Partial<TaskFilters>;
  sort: SortKey;
  limit: number;
  offset: number;
}

export interface TaskPage {
  tasks: Task[];
  /** All tasks matching the filters (X-Total-Count), not just this page. */
  total: number;
  offset: number;
}

export async function listTasks({ filters, sort, limit, offset }: TaskPageRequest, signal?: AbortSignal): Promise<TaskPage> {
  const params = filterParams(filters);
  params.set('sort', sort);
  params.set('limit', String(limit));
  params.set('offset', String(offset));
  const response = await send(`/tasks?${params.toString()}`, signal ? { signal } : {});
  const tasks = (await response.json()) as Task[];
  const header = response.headers.get('X-Total-Count');
  const total = header !== null && header !== '' ? Number(header) : offset + tasks.length;
  return { tasks, total, offset };
}

export async function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  const response = await send(`/tasks/${encodeURIComponent(id)}`, signal ? { signal } : {});
  return (await response.json()) as Task;
}

export async function createTask(task: TaskCreate): Promise<Task> {
  const response = await sendJson('/tasks', 'POST', task);
  return (await response.json()) as Task;
}

/** PATCH only the given fields, refused with 412 if the task is no longer at `base`'s version. */
export async function updateTask(base: Pick<Task, 'id' | 'version'>, changes: TaskUpdate): Promise<Task> {
  const response = await sendJson(`/tasks/${encodeURIComponent(base.id)}`, 'PATCH', changes, { 'If-Match': etagOf(base) });
  return (await response.json()) as Task;
}

export async function deleteTask(base: Pick<Task, 'id' | 'version'>): Promise<void> {
  await send(`/tasks/${encodeURIComponent(base.id)}`, { method: 'DELETE', headers: { 'If-Match': etagOf(base) } });
}

export async function getStats(signal?: AbortSignal): Promise<TaskStats> {
  const response = await send('/tasks/stats', signal ? { signal } : {});
  return (await response.json()) as TaskStats;
}

export type Connection = 'connected' | 'degraded' | 'unreachable';

export interface HealthReport {
  connection: Connection;
  health: Health | null;
}

/** /health never throws here: its 503 means "degraded" and no answer means "unreachable". */
export async function getHealth(signal?: AbortSignal): Promise<HealthReport> {
  try {
    const response = await send('/health', signal ? { signal } : {});
    return { connection: 'connected', health: (await response.json()) as Health };
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return { connection: 'degraded', health: null };
    if (error instanceof UnreachableError) return { connection: 'unreachable', health: null };
    throw error;
  }
}
