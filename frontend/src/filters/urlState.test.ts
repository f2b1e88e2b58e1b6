import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, parseViewState, serializeViewState } from './urlState';

describe('view state in the URL', () => {
  it('round-trips every filter, the view and the sort', () => {
    const search = '?view=list&status=todo&status=done&priority=high&assignee=ann&overdue=true&q=report+q3&sort=-due_date';
    const state = parseViewState(search);
    expect(state).toEqual({
      view: 'list',
      filters: { status: ['todo', 'done'], priority: ['high'], assignee: 'ann', overdue: true, q: 'report q3' },
      sort: '-due_date',
    });
    expect(parseViewState(serializeViewState(state))).toEqual(state);
  });

  it('the plain page has a plain address', () => {
    expect(serializeViewState(parseViewState(''))).toBe('');
  });

  it('ignores values it does not know instead of sending them to the API', () => {
    const state = parseViewState('?status=blocked&priority=urgent&sort=password&view=kanban');
    expect(state.filters.status).toEqual([]);
    expect(state.filters.priority).toEqual([]);
    expect(state.sort).toBe(DEFAULT_SORT);
    expect(state.view).toBe('board');
  });
});
