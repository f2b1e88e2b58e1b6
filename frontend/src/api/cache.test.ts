import { describe, expect, it } from 'vitest';
import { makeTask } from '../test/fixtures';
import { withChanges, withTaskChanged, withTaskRemoved, type TaskPages } from './cache';

function pages(...tasks: ReturnType<typeof makeTask>[]): TaskPages {
  return { pages: [{ tasks, total: tasks.length, offset: 0 }], pageParams: [0] };
}

describe('optimistic cache edits', () => {
  it('a move leaves the source column and enters the target column at the top', () => {
    const moving = makeTask({ status: 'todo' });
    const other = makeTask({ status: 'in_progress' });
    const moved = { ...moving, status: 'in_progress' as const };

    const todo = withTaskChanged(pages(moving), moved, { status: ['todo'] });
    expect(todo.pages[0]?.tasks).toEqual([]);
    expect(todo.pages[0]?.total).toBe(0);

    const inProgress = withTaskChanged(pages(other), moved, { status: ['in_progress'] });
    expect(inProgress.pages[0]?.tasks.map((t) => t.id)).toEqual([moved.id, other.id]);
    expect(inProgress.pages[0]?.total).toBe(2);
  });

  it('an unfiltered list keeps the task in place, updated', () => {
    const a = makeTask();
    const b = makeTask();
    const edited = { ...b, title: 'Renamed' };
    const result = withTaskChanged(pages(a, b), edited, {});
    expect(result.pages[0]?.tasks.map((t) => t.title)).toEqual([a.title, 'Renamed']);
  });

  it('a list that never had the task and filters on nothing but other fields is left alone', () => {
    const data = pages(makeTask());
    expect(withTaskChanged(data, makeTask(), {})).toBe(data);
  });

  it('removal drops the task and the total', () => {
    const a = makeTask();
    const b = makeTask();
    const result = withTaskRemoved(pages(a, b), a.id);
    expect(result.pages[0]?.tasks).toEqual([b]);
    expect(result.pages[0]?.total).toBe(1);
  });
});

describe('a task as it will be once saved', () => {
  it('a due date sent as a bare day makes it a day task, one with a time an instant, null neither', () => {
    const task = makeTask({ due_date: '2030-01-01T10:00:00Z', due_all_day: false });
    expect(withChanges(task, { due_date: '2026-12-01' })).toMatchObject({ due_date: '2026-12-01', due_all_day: true });
    const day = makeTask({ due_date: '2026-12-01T00:00:00Z', due_all_day: true });
    expect(withChanges(day, { due_date: '2026-12-01T09:00:00.000Z' })).toMatchObject({ due_all_day: false });
    expect(withChanges(day, { due_date: null })).toMatchObject({ due_date: null, due_all_day: false });
    expect(withChanges(day, { title: 'Renamed' })).toMatchObject({ title: 'Renamed', due_all_day: true });
  });
});
