import { describe, expect, it } from 'vitest';
import { makeTask } from '../test/fixtures';
import { EMPTY_FORM, createBody, formFromTask, formProblems, updateBody } from './taskForm';

describe('task form bodies', () => {
  it('an update sends only the fields the user changed', () => {
    const task = makeTask({ title: 'Old', assignee: 'ann', priority: 'low' });
    const values = { ...formFromTask(task), title: 'New', priority: 'high' as const };
    expect(updateBody(task, values)).toEqual({ title: 'New', priority: 'high' });
  });

  it('emptied optional fields are cleared with null', () => {
    const task = makeTask({ description: 'text', assignee: 'ann', due_date: '2030-01-01T10:00:00Z' });
    const values = { ...formFromTask(task), description: '', assignee: '  ', dueDate: '', dueTime: '' };
    expect(updateBody(task, values)).toEqual({ description: null, assignee: null, due_date: null });
  });

  it('nothing changed means an empty update, for an instant and for a day', () => {
    const instant = makeTask({ due_date: '2030-01-01T10:00:00Z', description: 'd' });
    expect(updateBody(instant, formFromTask(instant))).toEqual({});
    const day = makeTask({ due_date: '2026-12-01T00:00:00Z', due_all_day: true });
    expect(updateBody(day, formFromTask(day))).toEqual({});
  });

  it('a new task sends the title as typed (the server trims and validates it)', () => {
    expect(createBody({ ...EMPTY_FORM, title: '  Hi  ' })).toEqual({
      title: '  Hi  ',
      description: null,
      status: 'todo',
      priority: 'medium',
      assignee: null,
      due_date: null,
    });
  });

  it('text is sent NFC-normalised', () => {
    const body = createBody({ ...EMPTY_FORM, title: 'Cafe\u0301', description: 'Cre\u0300me', assignee: ' Zoe\u0308 ' });
    expect(body.title).toBe('Caf\u00e9');
    expect(body.description).toBe('Cr\u00e8me');
    expect(body.assignee).toBe('Zo\u00eb');
  });

  it('an assignee or description of invisible characters alone is none', () => {
    const body = createBody({ ...EMPTY_FORM, title: 'x', description: '\u200b\n', assignee: '\u200b' });
    expect(body.description).toBeNull();
    expect(body.assignee).toBeNull();
  });

  it('a date without a time is sent as a day, with a time as an instant', () => {
    expect(createBody({ ...EMPTY_FORM, title: 'x', dueDate: '2026-12-01' }).due_date).toBe('2026-12-01');
    expect(createBody({ ...EMPTY_FORM, title: 'x', dueDate: '2026-12-01', dueTime: '09:30' }).due_date).toBe(
      new Date(2026, 11, 1, 9, 30).toISOString(),
    );
  });

  it('a day task opens as a day; adding a time makes it an instant, clearing the time a day again', () => {
    const day = makeTask({ due_date: '2026-12-01T00:00:00Z', due_all_day: true });
    const values = formFromTask(day);
    expect(values).toMatchObject({ dueDate: '2026-12-01', dueTime: '' });
    expect(updateBody(day, { ...values, dueTime: '17:00' })).toEqual({ due_date: new Date(2026, 11, 1, 17, 0).toISOString() });
    expect(updateBody(day, { ...values, dueDate: '2026-12-24' })).toEqual({ due_date: '2026-12-24' });

    const instant = makeTask({ due_date: new Date(2026, 11, 1, 17, 0).toISOString(), due_all_day: false });
    expect(formFromTask(instant)).toMatchObject({ dueDate: '2026-12-01', dueTime: '17:00' });
    expect(updateBody(instant, { ...formFromTask(instant), dueTime: '' })).toEqual({ due_date: '2026-12-01' });
  });
});

describe('form problems', () => {
  it('a valid form has none', () => {
    expect(formProblems({ ...EMPTY_FORM, title: 'Fine', description: 'line\n\tline', assignee: 'ann', dueDate: '2026-12-01' })).toEqual({});
  });

  it('each refused text lands on its field', () => {
    expect(formProblems({ ...EMPTY_FORM, title: '\u200b\u200b', description: 'bell\u0007', assignee: 'a\u0000' })).toEqual({
      title: 'Enter a title: spaces and invisible characters alone do not count.',
      description: 'The description cannot contain control characters other than tabs and line breaks (U+0007 here).',
      assignee: 'The assignee cannot contain control characters (U+0000 here).',
    });
  });

  it('a time needs a date', () => {
    expect(formProblems({ ...EMPTY_FORM, title: 'x', dueTime: '09:00' })).toEqual({ due_date: 'Pick a date for this time, or clear the time.' });
  });

  it('editing, text left as it was is not checked again', () => {
    const task = makeTask({ description: 'saved before the rule\u0007' });
    const values = { ...formFromTask(task), title: 'Renamed' };
    expect(formProblems(values, formFromTask(task))).toEqual({});
    expect(formProblems({ ...values, description: 'changed\u0007' }, formFromTask(task))).toHaveProperty('description');
  });
});
