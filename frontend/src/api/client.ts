// The typed API client: openapi-fetch over the generated `paths`, one function per operation the app uses.
import createClient, { type Middleware } from 'openapi-fetch';
import { apiBaseUrl } from './config';
import { ApiError, UnreachableError, parseErrorBody } from './errors';
import type { paths } from './schema';
import { endSession, sessionToken } from './session';
import type {
  ApiInfo,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  Health,
  Invitation,
  InvitationCreate,
  PasswordChange,
  InvitationCreated,
  Registration,
  SignedIn,
  SortKey,
  Task,
  TaskCreate,
  TaskFilterQuery,
  TaskFilters,
  TaskStats,
  TaskUpdate,
  User,
  UserAdminUpdate,
  UserMeUpdate,
} from './types';

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

/**
 * Every request carries the session's bearer token when there is one. A 401 to a request that carried
 * it means the API no longer takes it (signed out elsewhere, password changed, deactivated, expired):
 * the session ends, and the app shows the sign-in page saying so.
 */
const credentials: Middleware = {
  onRequest({ request }) {
    const token = sessionToken();
    if (token !== null) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    const sent = request.headers.get('Authorization');
    if (response.status === 401 && sent?.startsWith('Bearer ')) endSession(sent.slice('Bearer '.length));
    return undefined;
  },
};

const api = createClient<paths>({
  baseUrl: apiBaseUrl(),
  headers: { Accept: 'application/json' },
  // Looked up at each call rather than when this module loads, so a fetch replaced later (msw in the tests) is used.
  fetch: (request) => globalThis.fetch(request),
});
api.use(reachability, credentials);

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

/** What the API says about itself: whether it wants a sign-in (`auth`), and how people join (`signup`). */
export async function getApiInfo(signal?: AbortSignal): Promise<ApiInfo> {
  const { data } = await answer(api.GET('/', { signal }));
  return data;
}

/** The seconds a 429 asks to wait, when it says. */
function retryAfter(response: Response): number | null {
  const seconds = Number(response.headers.get('Retry-After') ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : null;
}

/** OAuth2's password form (`username` is the email); the answer is the session's bearer token. */
export async function signIn(email: string, password: string): Promise<SignedIn> {
  const call = api.POST('/auth/token', {
    body: { username: email, password },
    bodySerializer: (body) => new URLSearchParams(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  try {
    const { data } = await answer(call);
    return data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) {
      const { response } = await call;
      const wait = retryAfter(response);
      throw new ApiError(429, `Too many sign-in attempts. Try again ${wait === null ? 'in a minute' : `in ${String(wait)} seconds`}.`);
    }
    throw error;
  }
}

/** Ends the session server-side: the token is refused from then on. */
export async function signOut(): Promise<void> {
  await succeeded(api.POST('/auth/logout'));
}

export async function register(registration: Registration): Promise<User> {
  const { data } = await answer(api.POST('/auth/register', { body: registration }));
  return data;
}

export async function getMe(signal?: AbortSignal): Promise<User> {
  const { data } = await answer(api.GET('/users/me', { signal }));
  return data;
}

export async function updateMe(changes: UserMeUpdate): Promise<User> {
  const { data } = await answer(api.PATCH('/users/me', { body: changes }));
  return data;
}

/** A new password: the API ends every other session and every API token of the person; this one stays. */
export async function changePassword(change: PasswordChange): Promise<void> {
  await succeeded(api.PUT('/users/me/password', { body: change }));
}

export async function listUsers(signal?: AbortSignal): Promise<User[]> {
  const { data } = await answer(api.GET('/users', { signal }));
  return data;
}

/** An admin changes someone's role or deactivates them. */
export async function updateUser(id: string, changes: UserAdminUpdate): Promise<User> {
  const { data } = await answer(api.PATCH('/users/{user_id}', { params: { path: { user_id: id } }, body: changes }));
  return data;
}

export async function listInvitations(signal?: AbortSignal): Promise<Invitation[]> {
  const { data } = await answer(api.GET('/invitations', { signal }));
  return data;
}

export async function createInvitation(invitation: InvitationCreate): Promise<InvitationCreated> {
  const { data } = await answer(api.POST('/invitations', { body: invitation }));
  return data;
}

export async function revokeInvitation(id: string): Promise<void> {
  await succeeded(api.DELETE('/invitations/{invitation_id}', { params: { path: { invitation_id: id } } }));
}

export async function listApiTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  const { data } = await answer(api.GET('/users/me/tokens', { signal }));
  return data;
}

export async function createApiToken(token: ApiTokenCreate): Promise<ApiTokenCreated> {
  const { data } = await answer(api.POST('/users/me/tokens', { body: token }));
  return data;
}

export async function deleteApiToken(id: string): Promise<void> {
  await succeeded(api.DELETE('/users/me/tokens/{token_id}', { params: { path: { token_id: id } } }));
}
