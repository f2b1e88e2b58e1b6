// The API's shapes, named once from the generated OpenAPI types so the app never redeclares them.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Task = Schemas['TaskRead'];
export type TaskCreate = Schemas['TaskCreate'];
export type TaskUpdate = Schemas['TaskUpdate'];
export type TaskStats = Schemas['TaskStats'];
export type Health = Schemas['Health'];
export type TaskStatus = Task['status'];
export type TaskPriority = Task['priority'];

export const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];
export const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high'];

/** The fields the list endpoint can sort on (prefix `-` for descending). */
export type SortField = 'created_at' | 'updated_at' | 'due_date' | 'priority' | 'status' | 'title';
export type SortKey = SortField | `-${SortField}`;

/** The filters `/tasks`, `/tasks/count` and `/tasks/stats` share. */
export interface TaskFilters {
  status: TaskStatus[];
  priority: TaskPriority[];
  assignee: string;
  overdue: boolean;
  q: string;
}

/** The API's own limits, mirrored so forms can stop obvious mistakes before a round trip. */
export const LIMITS = { title: 200, description: 1000, assignee: 100 } as const;
