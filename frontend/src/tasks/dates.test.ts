import { describe, expect, it } from 'vitest';
import { formatDue, fromDueInput, isOverdue, toDueInput } from './dates';

const HOUR = 60 * 60 * 1000;
const ZONES = ['Europe/London', 'Europe/Paris', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];

describe('showing a due date', () => {
  it('a day is its date alone, the same in every time zone', () => {
    for (const timeZone of ZONES) {
      expect(formatDue({ due_date: '2026-12-01T00:00:00Z', due_all_day: true }, 'en-US', timeZone)).toBe('Dec 1, 2026');
    }
    // However the API spells the midnight.
    expect(formatDue({ due_date: '2026-12-01T00:00:00+00:00', due_all_day: true }, 'en-US', 'America/New_York')).toBe('Dec 1, 2026');
    expect(formatDue({ due_date: '2026-12-01', due_all_day: true }, 'en-GB', 'America/New_York')).toBe('1 Dec 2026');
  });

  it('the same midnight as an instant is a local date and time, which differs by zone', () => {
    const due = { due_date: '2026-12-01T00:00:00Z', due_all_day: false };
    expect(formatDue(due, 'en-US', 'Europe/London')).toBe('Dec 1, 2026, 12:00 AM');
    expect(formatDue(due, 'en-US', 'Europe/Paris')).toBe('Dec 1, 2026, 1:00 AM');
    expect(formatDue(due, 'en-US', 'America/New_York')).toBe('Nov 30, 2026, 7:00 PM');
  });

  it('an instant shows in the given locale and time zone', () => {
    expect(formatDue({ due_date: '2030-01-15T08:30:00+00:00', due_all_day: false }, 'en-US', 'Europe/Paris')).toBe('Jan 15, 2030, 9:30 AM');
    expect(formatDue({ due_date: '2030-01-15T08:30:00+00:00', due_all_day: false }, 'en-GB', 'Asia/Tokyo')).toBe('15 Jan 2030, 17:30');
  });
});

describe('overdue', () => {
  const day = { due_date: '2026-12-01T00:00:00Z', due_all_day: true, status: 'todo' as const };
  const instant = { due_date: '2026-12-01T09:30:00Z', due_all_day: false, status: 'todo' as const };
  const at = (iso: string, deltaMs = 0) => new Date(Date.parse(iso) + deltaMs);

  it('a day is not overdue until it has ended everywhere on Earth: 12:00 UTC the next day', () => {
    expect(isOverdue(day, at('2026-12-01T23:59:59Z'))).toBe(false);
    expect(isOverdue(day, at('2026-12-02T11:59:59.999Z'))).toBe(false);
    expect(isOverdue(day, at('2026-12-02T12:00:00Z'))).toBe(false);
    expect(isOverdue(day, at('2026-12-02T12:00:00Z', 1))).toBe(true);
    expect(isOverdue(day, at('2026-12-01T00:00:00Z', 36 * HOUR + 1))).toBe(true);
  });

  it('an instant is overdue as soon as it has passed', () => {
    expect(isOverdue(instant, at('2026-12-01T09:29:59.999Z'))).toBe(false);
    expect(isOverdue(instant, at('2026-12-01T09:30:00Z'))).toBe(false);
    expect(isOverdue(instant, at('2026-12-01T09:30:00Z', 1))).toBe(true);
  });

  it('a done task, or one without a due date, is never overdue', () => {
    const later = at('2030-01-01T00:00:00Z');
    expect(isOverdue({ ...day, status: 'done' }, later)).toBe(false);
    expect(isOverdue({ ...instant, status: 'done' }, later)).toBe(false);
    expect(isOverdue({ due_date: null, due_all_day: false, status: 'todo' }, later)).toBe(false);
    expect(isOverdue({ ...instant, status: 'in_progress' }, later)).toBe(true);
  });
});

describe('editing a due date', () => {
  it('a day opens as its date with no time, whatever the local zone', () => {
    expect(toDueInput({ due_date: '2026-12-01T00:00:00Z', due_all_day: true })).toEqual({ date: '2026-12-01', time: '' });
  });

  it('a date without a time is sent as the day itself', () => {
    expect(fromDueInput({ date: '2026-12-01', time: '' })).toBe('2026-12-01');
  });

  it('a date and a time are sent as the instant of that local time, and open again as the same date and time', () => {
    const sent = fromDueInput({ date: '2030-01-15', time: '09:30' });
    expect(sent).toBe(new Date(2030, 0, 15, 9, 30).toISOString());
    expect(toDueInput({ due_date: sent, due_all_day: false })).toEqual({ date: '2030-01-15', time: '09:30' });
  });

  it('no date is no due date', () => {
    expect(fromDueInput({ date: '', time: '' })).toBeNull();
    expect(toDueInput({ due_date: null, due_all_day: false })).toEqual({ date: '', time: '' });
  });
});
