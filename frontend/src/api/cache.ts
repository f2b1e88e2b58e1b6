// Optimistic edits of cached task lists: where a changed, new or deleted task belongs in each cached query.
import type { InfiniteData } from '@tanstack/react-query';
import type { TaskPage } from './client';
import { isDayValue, type Task, type TaskFilters, type TaskUpdate } from './types';

export type TaskPages = InfiniteData<TaskPage, number>;

/** The task as it will be once `changes` are saved: a due date sent as a bare day makes it a day task, as the API does. */
export function withChanges(task: Task, changes: TaskUpdate): Task {
  const next = { ...task, ...changes };
  if (changes.due_date === undefined) return next;
  return { ...next, due_all_day: changes.due_date !== null && isDayValue(changes.due_date) };
}

/** Whether a task still belongs in a list filtered by status (the field a board move changes). */
function fitsStatus(task: Task, filters: Partial<TaskFilters>): boolean {
  return !filters.status?.length || filters.status.includes(task.status);
}

/**
 * The cached list after `task` changed: replaced where it fits, dropped where its new status
 * no longer fits, and put first in status-scoped lists (board columns) it has just entered.
 */
export function withTaskChanged(data: TaskPages, task: Task, filters: Partial<TaskFilters>): TaskPages {
  const fits = fitsStatus(task, filters);
  const present = data.pages.some((page) => page.tasks.some((t) => t.id === task.id));
  if (present) {
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        tasks: fits ? page.tasks.map((t) => (t.id === task.id ? task : t)) : page.tasks.filter((t) => t.id !== task.id),
        total: fits ? page.total : page.total - 1,
      })),
    };
  }
  if (fits && filters.status?.length) {
    return {
      ...data,
      pages: data.pages.map((page, index) => ({
        ...page,
        tasks: index === 0 ? [task, ...page.tasks] : page.tasks,
        total: page.total + 1,
      })),
    };
  }
  return data;
}

/** The cached list without the task `id`. */
export function withTaskRemoved(data: TaskPages, id: string): TaskPages {
  if (!data.pages.some((page) => page.tasks.some((t) => t.id === id))) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      tasks: page.tasks.filter((t) => t.id !== id),
      total: page.total - 1,
    })),
  };
}
