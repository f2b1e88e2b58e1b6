// The page's view (board or list), filters and sort, kept in the URL query string so a view can be bookmarked.
import { PRIORITIES, STATUSES, type SortField, type SortKey, type TaskFilters, type TaskPriority, type TaskStatus } from '../api/types';

export type ViewMode = 'board' | 'list';

export interface ViewState {
  view: ViewMode;
  filters: TaskFilters;
  sort: SortKey;
}

export const DEFAULT_SORT: SortKey = '-created_at';
// Every field the API sorts on, checked against its schema both ways: a field added or dropped there breaks tsc here.
const SORT_FIELDS = { created_at: true, updated_at: true, due_date: true, priority: true, status: true, title: true } satisfies Record<SortField, true>;

function isSortKey(value: string): value is SortKey {
  return Object.hasOwn(SORT_FIELDS, value.replace(/^-/, ''));
}

function pick<T extends string>(values: string[], allowed: readonly T[]): T[] {
  return allowed.filter((value) => values.includes(value));
}

export function parseViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const sort = params.get('sort') ?? '';
  return {
    view: params.get('view') === 'list' ? 'list' : 'board',
    filters: {
      status: pick<TaskStatus>(params.getAll('status'), STATUSES),
      priority: pick<TaskPriority>(params.getAll('priority'), PRIORITIES),
      assignee: params.get('assignee') ?? '',
      overdue: params.get('overdue') === 'true',
      q: params.get('q') ?? '',
    },
    sort: isSortKey(sort) ? sort : DEFAULT_SORT,
  };
}

/** Only what differs from the defaults goes in the URL, so the plain page keeps a plain address. */
export function serializeViewState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.view !== 'board') params.set('view', state.view);
  for (const status of state.filters.status) params.append('status', status);
  for (const priority of state.filters.priority) params.append('priority', priority);
  if (state.filters.assignee) params.set('assignee', state.filters.assignee);
  if (state.filters.overdue) params.set('overdue', 'true');
  if (state.filters.q) params.set('q', state.filters.q);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  const query = params.toString();
  return query ? `?${query}` : '';
}

export function hasActiveFilters(filters: TaskFilters): boolean {
  return filters.status.length > 0 || filters.priority.length > 0 || filters.assignee !== '' || filters.overdue || filters.q !== '';
}
