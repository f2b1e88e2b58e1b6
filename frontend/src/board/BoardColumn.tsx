// One board column: the tasks with one status, a drop target, loading more on demand.
import { useDroppable } from '@dnd-kit/core';
import { useTaskList } from '../api/hooks';
import type { Task, TaskFilters, TaskStatus } from '../api/types';
import { useAccess } from '../auth/access';
import { STATUS_LABELS } from '../tasks/labels';
import { TaskCard, type FocusRequest } from './TaskCard';

// Most recently changed first, so a card just moved or added lands on top, where the optimistic update puts it.
export const BOARD_SORT = '-updated_at';

interface Props {
  status: TaskStatus;
  filters: TaskFilters;
  onOpen: (task: Task) => void;
  focusRequest: FocusRequest | null;
  onFocused: () => void;
}

export function BoardColumn({ status, filters, onOpen, focusRequest, onFocused }: Props) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const query = useTaskList({ filters: { ...filters, status: [status] }, sort: BOARD_SORT });
  const tasks = query.data?.pages.flatMap((page) => page.tasks) ?? [];
  const total = query.data?.pages[0]?.total;
  const headingId = `column-${status}`;
  const { canWrite } = useAccess();

  return (
    <section
      ref={setNodeRef}
      className={`column column--${status}${isOver ? ' is-over' : ''}`}
      aria-labelledby={headingId}
      aria-busy={query.isPending}
      data-testid={`column-${status}`}
    >
      <h2 id={headingId} className="column__title">
        {STATUS_LABELS[status]}
        <span className="column__count" aria-label={total === undefined ? undefined : `${total} tasks`}>
          {total ?? '…'}
        </span>
      </h2>
      {query.isPending && <p className="muted column__note">Loading tasks…</p>}
      {query.isError && !query.data && (
        <div className="column__note">
          <p>Could not load these tasks.</p>
          <button type="button" className="button button--small" onClick={() => void query.refetch()}>
            Retry
          </button>
        </div>
      )}
      {query.data && tasks.length === 0 && <p className="muted column__note">{canWrite ? 'No tasks here. Drop one to move it.' : 'No tasks here.'}</p>}
      <ul className="column__cards">
        {tasks.map((task) => (
          <TaskCard key={task.id} task={task} onOpen={onOpen} focusRequest={focusRequest} onFocused={onFocused} />
        ))}
      </ul>
      {query.hasNextPage && (
        <button
          type="button"
          className="button button--ghost column__more"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? 'Loading…' : `Show more (${tasks.length} of ${total ?? '?'})`}
        </button>
      )}
    </section>
  );
}
