// The task form's values, and how they become the API's create and update bodies.
import type { Task, TaskCreate, TaskPriority, TaskStatus, TaskUpdate } from '../api/types';
import { fromLocalInputValue, toLocalInputValue } from '../tasks/dates';

export interface TaskFormValues {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: string;
  /** datetime-local value in the user's time zone, '' for none. */
  due: string;
}

export const EMPTY_FORM: TaskFormValues = { title: '', description: '', status: 'todo', priority: 'medium', assignee: '', due: '' };

export function formFromTask(task: Task): TaskFormValues {
  return {
    title: task.title,
    description: task.description ?? '',
    status: task.status,
    priority: task.priority,
    assignee: task.assignee ?? '',
    due: toLocalInputValue(task.due_date),
  };
}

function orNull(text: string): string | null {
  return text.trim() === '' ? null : text;
}

/** Titles go as typed: the server trims them and answers 422 for a blank one, shown on the field. */
export function createBody(values: TaskFormValues): TaskCreate {
  return {
    title: values.title,
    description: orNull(values.description),
    status: values.status,
    priority: values.priority,
    assignee: orNull(values.assignee.trim()),
    due_date: fromLocalInputValue(values.due),
  };
}

/** Only the fields the user changed, so a PATCH cannot overwrite someone else's edit of another field. */
export function updateBody(base: Task, values: TaskFormValues): TaskUpdate {
  const before = createBody(formFromTask(base));
  const after = createBody(values);
  const changes: TaskUpdate = {};
  if (after.title !== base.title) changes.title = after.title;
  if (after.description !== before.description) changes.description = after.description ?? null;
  if (after.status !== base.status) changes.status = after.status;
  if (after.priority !== base.priority) changes.priority = after.priority;
  if (after.assignee !== before.assignee) changes.assignee = after.assignee ?? null;
  if (values.due !== formFromTask(base).due) changes.due_date = after.due_date ?? null;
  return changes;
}
