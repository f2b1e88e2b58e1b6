// The API's shapes, named once from the generated OpenAPI types so the app never redeclares them.
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Task = Schemas['TaskRead'];
export type TaskCreate = Schemas['TaskCreate'];
export type TaskUpdate = Schemas['TaskUpdate'];
export type TaskStats = Schemas['TaskStats'];
export type Health = Schemas['Health'];
export type TaskStatus = Schemas['TaskStatus'];
export type TaskPriority = Schemas['TaskPriority'];

export const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];
export const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high'];

/** The query string `/tasks` accepts. */
export type TaskListQuery = NonNullable<paths['/tasks']['get']['parameters']['query']>;
/** The query string of the filters alone, which `/tasks`, `/tasks/count` and `/tasks/stats` share. */
export type TaskFilterQuery = NonNullable<paths['/tasks/count']['get']['parameters']['query']>;

/** The keys the list endpoint sorts on, `-` first for descending. */
export type SortKey = NonNullable<TaskListQuery['sort']>;
export type SortField = Exclude<SortKey, `-${string}`>;

/**
 * The filters the page offers, as the view state holds them: every one present, none null (an empty
 * list or string, or false, means "not filtered"). Named after the API's own parameters, so a
 * renamed or retyped filter breaks `tsc` here.
 */
export type TaskFilters = { [K in 'status' | 'priority' | 'assignee' | 'overdue' | 'q']-?: NonNullable<TaskFilterQuery[K]> };

/** The API reads a due date sent as a bare `YYYY-MM-DD` as a day (`due_all_day`), one with a time as an instant. */
export function isDayValue(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** The API's own limits, mirrored so forms can stop obvious mistakes before a round trip. */
export const LIMITS = { title: 200, description: 1000, assignee: 100 } as const;

/** `GET /`: whether the API wants a sign-in (`auth: "off"` is single-user mode) and how people join. */
export type ApiInfo = Schemas['Welcome'];
/** The answer to signing in: the session's bearer token and the seconds it lasts. */
export type SignedIn = Schemas['AccessToken'];
export type User = Schemas['UserRead'];
export type Role = User['role'];
export type UserAdminUpdate = Schemas['UserAdminUpdate'];
export type UserMeUpdate = Schemas['UserMeUpdate'];
export type PasswordChange = Schemas['PasswordChange'];
export type Registration = Schemas['UserRegister'];
export type Invitation = Schemas['InvitationRead'];
export type InvitationCreate = Schemas['InvitationCreate'];
/** An invitation just made: the only answer that holds its token. */
export type InvitationCreated = Schemas['InvitationCreated'];
export type ApiToken = Schemas['ApiTokenRead'];
export type ApiTokenCreate = Schemas['ApiTokenCreate'];
/** A token just made: the only answer that holds its secret. */
export type ApiTokenCreated = Schemas['ApiTokenCreated'];
export type TokenScope = ApiToken['scope'];

export const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];
