// Query keys in one place, so invalidation after a write reaches every view of the data.
import type { SortKey, TaskFilters } from './types';

export interface TaskListParams {
  filters: Partial<TaskFilters>;
  sort: SortKey;
}

export const queryKeys = {
  tasks: ['tasks'] as const,
  taskLists: ['tasks', 'list'] as const,
  taskList: (params: TaskListParams) => ['tasks', 'list', params] as const,
  taskDetails: ['tasks', 'detail'] as const,
  task: (id: string) => ['tasks', 'detail', id] as const,
  stats: ['stats'] as const,
  health: ['health'] as const,
  apiInfo: ['api-info'] as const,
  me: ['me'] as const,
  users: ['users'] as const,
  invitations: ['invitations'] as const,
  apiTokens: ['api-tokens'] as const,
};
