// The task form's values, how they are checked, and how they become the API's create and update bodies.
import type { FieldErrors } from '../api/errors';
import type { Task, TaskCreate, TaskPriority, TaskStatus, TaskUpdate } from '../api/types';
import { fromDueInput, toDueInput } from '../tasks/dates';
import { assigneeProblem, descriptionProblem, isBlank, normalizeText, titleProblem } from './textRules';

export interface TaskFormValues {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: string;
  /** `<input type="date">` value, '' for no due date. */
  dueDate: string;
  /** `<input type="time">` value in the user's time zone; '' makes the due date a whole day. */
  dueTime: string;
}

export const EMPTY_FORM: TaskFormValues = {
  title: '',
  description: '',
  status: 'todo',
  priority: 'medium',
  assignee: '',
  dueDate: '',
  dueTime: '',
};

export function formFromTask(task: Task): TaskFormValues {
  const due = toDueInput(task);
  return {
    title: task.title,
    description: task.description ?? '',
    status: task.status,
    priority: task.priority,
    assignee: task.assignee ?? '',
    dueDate: due.date,
    dueTime: due.time,
  };
}

/**
 * What the API would refuse, by the field the message belongs to (the server's field names, as its 422s use).
 * Editing, only fields changed from `unchanged` are checked: text saved before a rule existed does not block
 * saving another field (the PATCH does not send it).
 */
export function formProblems(values: TaskFormValues, unchanged?: TaskFormValues): FieldErrors {
  const changed = (key: keyof TaskFormValues) => unchanged === undefined || values[key] !== unchanged[key];
  const problems: FieldErrors = {
    title: changed('title') ? titleProblem(values.title) : undefined,
    description: changed('description') ? descriptionProblem(values.description) : undefined,
    assignee: changed('assignee') ? assigneeProblem(values.assignee) : undefined,
    due_date: values.dueDate === '' && values.dueTime !== '' ? 'Pick a date for this time, or clear the time.' : undefined,
  };
  return Object.fromEntries(Object.entries(problems).filter(([, problem]) => problem !== undefined));
}

function orNull(text: string): string | null {
  return isBlank(text) ? null : text;
}

/** Text is sent NFC-normalised; the title otherwise as typed (the server trims it), blank optional fields as null. */
export function createBody(values: TaskFormValues): TaskCreate {
  return {
    title: normalizeText(values.title),
    description: orNull(normalizeText(values.description)),
    status: values.status,
    priority: values.priority,
    assignee: orNull(normalizeText(values.assignee).trim()),
    due_date: fromDueInput({ date: values.dueDate, time: values.dueTime }),
  };
}

/** Only the fields the user changed, so a PATCH cannot overwrite someone else's edit of another field. */
export function updateBody(base: Task, values: TaskFormValues): TaskUpdate {
  const unchanged = formFromTask(base);
  const before = createBody(unchanged);
  const after = createBody(values);
  const changes: TaskUpdate = {};
  if (after.title !== base.title) changes.title = after.title;
  if (after.description !== before.description) changes.description = after.description ?? null;
  if (after.status !== base.status) changes.status = after.status;
  if (after.priority !== base.priority) changes.priority = after.priority;
  if (after.assignee !== before.assignee) changes.assignee = after.assignee ?? null;
  if (values.dueDate !== unchanged.dueDate || values.dueTime !== unchanged.dueTime) changes.due_date = after.due_date ?? null;
  return changes;
}
