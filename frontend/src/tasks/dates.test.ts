import { describe, expect, it } from 'vitest';
import { formatDueDate, fromLocalInputValue, isOverdue, toLocalInputValue } from './dates';

describe('due dates', () => {
  const now = new Date('2030-06-01T12:00:00Z');

  it('a past due date is overdue unless the task is done', () => {
    expect(isOverdue({ due_date: '2030-05-31T12:00:00Z', status: 'todo' }, now)).toBe(true);
    expect(isOverdue({ due_date: '2030-05-31T12:00:00Z', status: 'done' }, now)).toBe(false);
    expect(isOverdue({ due_date: '2030-06-02T12:00:00Z', status: 'todo' }, now)).toBe(false);
    expect(isOverdue({ due_date: null, status: 'todo' }, now)).toBe(false);
  });

  it('shows the instant in the given locale and time zone', () => {
    expect(formatDueDate('2030-01-15T08:30:00+00:00', 'en-US', 'Europe/Paris')).toBe('Jan 15, 2030, 9:30 AM');
    expect(formatDueDate('2030-01-15T08:30:00+00:00', 'en-GB', 'Asia/Tokyo')).toBe('15 Jan 2030, 17:30');
  });

  it('a datetime-local value round-trips through the API form', () => {
    const iso = fromLocalInputValue('2030-01-15T09:30');
    expect(iso).not.toBeNull();
    expect(toLocalInputValue(iso)).toBe('2030-01-15T09:30');
    expect(fromLocalInputValue('')).toBeNull();
  });
});
