// Due dates: shown in the user's locale and time zone, edited with <input type="datetime-local">, judged overdue.
import type { Task } from '../api/types';

/** Parses the API's value; a bare date (`2030-01-31`) is that day in UTC, as the API treats it. */
export function parseApiDate(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

export function formatDueDate(value: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(parseApiDate(value));
}

export function formatDate(value: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(parseApiDate(value));
}

/** A task is overdue when its due time has passed and it is not done (the API's own definition). */
export function isOverdue(task: Pick<Task, 'due_date' | 'status'>, now: Date = new Date()): boolean {
  return task.due_date !== null && task.status !== 'done' && parseApiDate(task.due_date).getTime() < now.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The API value as the local wall-clock time a datetime-local input shows. */
export function toLocalInputValue(value: string | null): string {
  if (value === null) return '';
  const d = parseApiDate(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (local wall-clock time) as an ISO instant with offset for the API; '' is null. */
export function fromLocalInputValue(value: string): string | null {
  if (value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
