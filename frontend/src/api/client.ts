// The typed API client: openapi-fetch over the generated `paths`, one function per operation the app uses.
import createClient, { type Middleware } from 'openapi-fetch';
import { apiBaseUrl } from './config';
import { ApiError, UnreachableError, parseErrorBody } from './errors';
import type { paths } from './schema';
import type { Health, SortKey, Task, TaskCreate, TaskFilterQuery, TaskFilters, TaskStats, TaskUpdate } from './types';

/** No answer from the API itself is UnreachableError, whichever way it failed to come. */
const reachability: Middleware = {
  onError({ request }) {
    // The caller gave up (TanStack Query cancelled the read): not a sign the server is away.
    if (request.signal.aborted) return undefined;
    return new UnreachableError();
  },
  onResponse({ response }) {
    // A gateway (Render's edge, the dev proxy) answering 502/504 means the API itself did not.
    if (response.status === 502 || response.status === 504) throw new UnreachableError();
    return undefined;
  },
};

const api = createClient<paths>({
  baseUrl: apiBaseUrl(),
  headers: { Accept: 'application/json' },
  // Looked up at each call rather than when this module loads, so a fetch replaced later (msw in the tests) is used.
  fetch: (request) => globalThis.fetch(request),
});
api.use(reachability);

type Answer<Data, Failure> = { data: Data; error?: never; response: Response } | { data?: never; error: Failure; response: Response };

/** The answer if it is a success; an error answer, even one without a body, becomes an ApiError with the API's message. */
async function succeeded<Data, Failure>(call: Promise<Answer<Data, Failure>>): Promise<{ data: Data | undefined; response: Response }> {
  const { data, error, response } = await call;
  if (!response.ok) throw parseErrorBody(response.status, error ?? null);
  return { data, response };
}

/** The typed body of a successful answer. */
async function answer<Data, Failure>(call: Promise<Answer<Data, Failure>>): Promise<{ data: NonNullable<Data>; response: Response }> {
  const { data, response } = await succeeded(call);
  // Every operation read here answers with a body: one without is not the API these types describe.
  if (data === undefined || data === null) throw new ApiError(response.status, `The server answered ${String(response.status)} without a body.`);
  return { data, response };
}

/** A task's strong ETag is its version in quotes, so any copy of the task can make its If-Match. */
export function etagOf(task: Pick<Task, 'version'>): string {
  return `"${task.version}"`;
}

/** The shared filters as the API's query; what is not set is left out (openapi-fetch repeats arrays: `status=todo&status=done`). */
export function filterQuery(filters: Partial<TaskFilters>): TaskFilterQuery {
  const assignee = filters.assignee?.trim();
  const q = filters.q?.trim();
  return {
    status: filters.status?.length ? filters.status : undefined,
    priority: filters.priority?.length ? filters.priority : undefined,
    assignee: assignee || undefined,
    overdue: filters.overdue ? true : undefined,
    q: q || undefined,
  };
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
  const { data: tasks, response } = await answer(api.GET('/tasks', { params: { query: { ...filterQuery(filters), sort, limit, offset } }, signal }));
  const header = response.headers.get('X-Total-Count');
  const total = header !== null && header !== '' ? Number(header) : offset + tasks.length;
  return { tasks, total, offset };
}

export async function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  const { data } = await answer(api.GET('/tasks/{task_id}', { params: { path: { task_id: id } }, signal }));
  return data;
}

export async function createTask(task: TaskCreate): Promise<Task> {
  const { data } = await answer(api.POST('/tasks', { body: task }));
  return data;
}

/** PATCH only the given fields, refused with 412 if the task is no longer at `base`'s version. */
export async function updateTask(base: Pick<Task, 'id' | 'version'>, changes: TaskUpdate): Promise<Task> {
  const { data } = await answer(
    api.PATCH('/tasks/{task_id}', { params: { path: { task_id: base.id }, header: { 'if-match': etagOf(base) } }, body: changes }),
  );
  return data;
}

export async function deleteTask(base: Pick<Task, 'id' | 'version'>): Promise<void> {
  await succeeded(api.DELETE('/tasks/{task_id}', { params: { path: { task_id: base.id }, header: { 'if-match': etagOf(base) } } }));
}

export async function getStats(signal?: AbortSignal): Promise<TaskStats> {
  const { data } = await answer(api.GET('/tasks/stats', { signal }));
  return data;
}

export type Connection = 'connected' | 'degraded' | 'unreachable';

export interface HealthReport {
  connection: Connection;
  health: Health | null;
}

/** /health never throws here: its 503 means "degraded" and no answer means "unreachable". */
export async function getHealth(signal?: AbortSignal): Promise<HealthReport> {
  try {
    const { data } = await answer(api.GET('/health', { signal }));
    return { connection: 'connected', health: data };
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return { connection: 'degraded', health: null };
    if (error instanceof UnreachableError) return { connection: 'unreachable', health: null };
    throw error;
  }
}
