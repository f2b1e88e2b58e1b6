import { describe, expect, it } from 'vitest';
import { makeTask } from '../test/fixtures';
import { createBody, formFromTask, updateBody } from './taskForm';

describe('task form bodies', () => {
  it('an update sends only the fields the user changed', () => {
    const task = makeTask({ title: 'Old', assignee: 'ann', priority: 'low' });
    const values = { ...formFromTask(task), title: 'New', priority: 'high' as const };
    expect(updateBody(task, values)).toEqual({ title: 'New', priority: 'high' });
  });

  it('emptied optional fields are cleared with null', () => {
    const task = makeTask({ description: 'text', assignee: 'ann', due_date: '2030-01-01T10:00:00Z' });
    const values = { ...formFromTask(task), description: '', assignee: '  ', due: '' };
    expect(updateBody(task, values)).toEqual({ description: null, assignee: null, due_date: null });
  });

  it('nothing changed means an empty update', () => {
    const task = makeTask({ due_date: '2030-01-01T10:00:00Z', description: 'd' });
    expect(updateBody(task, formFromTask(task))).toEqual({});
  });

  it('a new task sends the title as typed (the server trims and validates it)', () => {
    expect(createBody({ title: '  Hi  ', description: '', status: 'todo', priority: 'medium', assignee: '', due: '' })).toEqual({
      title: '  Hi  ',
      description: null,
      status: 'todo',
      priority: 'medium',
      assignee: null,
      due_date: null,
    });
  });
});
