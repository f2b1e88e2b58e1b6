// Due dates: a day shown as that date everywhere, an instant in the user's time zone; edited as a date and an optional time; judged overdue.
import { isDayValue, type Task } from '../api/types';

/** What the API says about when a task is due: `due_all_day` tells a day (kept as its midnight UTC) from an instant. */
export type Due = Pick<Task, 'due_date' | 'due_all_day'>;

/** Parses the API's value; a bare date (`2030-01-31`) is that day's midnight in UTC, as the API keeps it. */
export function parseApiDate(value: string): Date {
  return new Date(isDayValue(value) ? `${value}T00:00:00Z` : value);
}

/**
 * A day as a date only, formatted in UTC where the API keeps it at midnight, so it is the same date in every
 * time zone ("Dec 1, 2026"); an instant as a date and time in `timeZone` (the user's own by default).
 */
export function formatDue(due: { due_date: string; due_all_day: boolean }, locale?: string, timeZone?: string): string {
  const when = parseApiDate(due.due_date);
  if (due.due_all_day) return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(when);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(when);
}

/** The machine-readable form for `<time dateTime>`: a day as `YYYY-MM-DD`, an instant as the API gave it. */
export function dueDateTimeAttribute(due: { due_date: string; due_all_day: boolean }): string {
  return due.due_all_day ? utcDay(parseApiDate(due.due_date)) : due.due_date;
}

/** A date alone (creation dates) in the user's time zone. */
export function formatDate(value: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(parseApiDate(value));
}

/**
 * A day is due until it has ended everywhere on Earth: "anywhere on Earth" is UTC−12, where the day ends at
 * 12:00 UTC the next day, 36 hours after its midnight UTC. Nobody then sees their own day's task overdue
 * while it is still that day where they are.
 */
const DAY_ENDS_EVERYWHERE_MS = 36 * 60 * 60 * 1000;

/**
 * The one overdue rule of the app, the same as the API's `overdue` filter: not done, and an instant that has
 * passed (due < now) or a day that has ended everywhere (now > its midnight UTC + 36 h).
 */
export function isOverdue(task: Due & Pick<Task, 'status'>, now: Date = new Date()): boolean {
  if (task.due_date === null || task.status === 'done') return false;
  const due = parseApiDate(task.due_date).getTime();
  return task.due_all_day ? now.getTime() > due + DAY_ENDS_EVERYWHERE_MS : due < now.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The form's due fields: `<input type="date">` and `<input type="time">` values, '' when unset. */
export interface DueInput {
  date: string;
  time: string;
}

/** A day opens as its date with no time; an instant as the local date and time it falls on. */
export function toDueInput(due: Due): DueInput {
  if (due.due_date === null) return { date: '', time: '' };
  const d = parseApiDate(due.due_date);
  if (due.due_all_day) return { date: utcDay(d), time: '' };
  return { date: `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: `${pad(d.getHours())}:${pad(d.getMinutes())}` };
}

/**
 * What the API is sent: a date alone as the day `YYYY-MM-DD`; a date and a time as the ISO instant of that
 * local wall-clock time; no date, null.
 */
export function fromDueInput({ date, time }: DueInput): string | null {
  if (date === '') return null;
  if (time === '') return isDayValue(date) ? date : null;
  // Without an offset, a date-time string is local time, which is what the person typed.
  const d = new Date(`${date}T${time}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
