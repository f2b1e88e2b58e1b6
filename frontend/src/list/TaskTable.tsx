// The list view: a sortable table that loads 100 tasks at a time as the user scrolls, rendering only visible rows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useTaskList } from '../api/hooks';
import type { SortField, SortKey, Task, TaskFilters } from '../api/types';
import { formatDate, isOverdue } from '../tasks/dates';
import { DueTime } from '../tasks/DueTime';
import { PRIORITY_LABELS, STATUS_LABELS } from '../tasks/labels';

const ROW_HEIGHT = 48;
/** Start fetching the next page this many rows before the end, so scrolling rarely waits. */
const PREFETCH_ROWS = 20;

interface Props {
  filters: TaskFilters;
  sort: SortKey;
  onSort: (sort: SortKey) => void;
  onOpen: (task: Task) => void;
}

interface SortableColumn {
  field: SortField;
  label: string;
  firstDirection: 'asc' | 'desc';
}

// Titles sort A to Z first; priority, and creation newest first; due dates soonest first.
const SORTABLE = {
  title: { field: 'title', label: 'Title', firstDirection: 'asc' },
  priority: { field: 'priority', label: 'Priority', firstDirection: 'desc' },
  due: { field: 'due_date', label: 'Due', firstDirection: 'asc' },
  created: { field: 'created_at', label: 'Created', firstDirection: 'desc' },
} satisfies Record<string, SortableColumn>;

function directionOf(sort: SortKey, field: SortField): 'ascending' | 'descending' | undefined {
  if (sort === field) return 'ascending';
  if (sort === `-${field}`) return 'descending';
  return undefined;
}

function SortHeader({ field, label, firstDirection, sort, onSort, className }: SortableColumn & {
  sort: SortKey;
  onSort: (sort: SortKey) => void;
  className: string;
}) {
  const direction = directionOf(sort, field);
  const next: SortKey =
    direction === undefined ? (firstDirection === 'asc' ? field : `-${field}`) : direction === 'ascending' ? `-${field}` : field;
  return (
    <th scope="col" className={className} aria-sort={direction ?? 'none'}>
      <button
        type="button"
        className="sort-button"
        onClick={() => {
          onSort(next);
        }}
      >
        {label}
        <span aria-hidden="true" className="sort-button__arrow">
          {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}
        </span>
      </button>
    </th>
  );
}

export function TaskTable({ filters, sort, onSort, onOpen }: Props) {
  const query = useTaskList({ filters, sort });
  const tasks = query.data?.pages.flatMap((page) => page.tasks) ?? [];
  const total = query.data?.pages[0]?.total ?? 0;
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer returns fresh functions each render by design; the compiler lint knows to skip it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const rows = virtualizer.getVirtualItems();
  const lastVisible = rows.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastVisible >= tasks.length - PREFETCH_ROWS) void fetchNextPage();
  }, [lastVisible, tasks.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const padTop = rows[0]?.start ?? 0;
  const padBottom = rows.length > 0 ? virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0) : 0;
  const headerProps = { sort, onSort };

  return (
    <section className="list" aria-labelledby="list-heading" aria-busy={query.isPending}>
      <div className="list__header">
        <h2 id="list-heading">Tasks</h2>
        <p className="muted" role="status" data-testid="list-count">
          {query.isPending ? 'Loading tasks…' : `Showing ${tasks.length.toLocaleString()} of ${total.toLocaleString()}`}
        </p>
      </div>
      {query.isError && !query.data && (
        <div className="column__note">
          <p>Could not load tasks.</p>
          <button type="button" className="button button--small" onClick={() => void query.refetch()}>
            Retry
          </button>
        </div>
      )}
      <div ref={scrollRef} className="list__scroll" data-testid="list-scroll" tabIndex={0} aria-label="Task table, scrollable">
        <table className="table">
          <thead>
            <tr>
              <SortHeader {...SORTABLE.title} {...headerProps} className="col-title" />
              <th scope="col" className="col-status">
                Status
              </th>
              <SortHeader {...SORTABLE.priority} {...headerProps} className="col-priority" />
              <th scope="col" className="col-assignee">
                Assignee
              </th>
              <SortHeader {...SORTABLE.due} {...headerProps} className="col-due" />
              <SortHeader {...SORTABLE.created} {...headerProps} className="col-created" />
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={6} style={{ height: padTop }} />
              </tr>
            )}
            {rows.map((row) => {
              const task = tasks[row.index];
              if (!task) return null;
              const overdue = isOverdue(task);
              return (
                <tr
                  key={task.id}
                  data-testid="task-row"
                  data-index={row.index}
                  className={overdue ? 'row--overdue' : undefined}
                  style={{ height: ROW_HEIGHT }}
                >
                  <td className="col-title">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        onOpen(task);
                      }}
                    >
                      {task.title}
                    </button>
                  </td>
                  <td className="col-status">
                    <span className={`status status--${task.status}`}>{STATUS_LABELS[task.status]}</span>
                  </td>
                  <td className="col-priority">
                    <span className={`badge badge--${task.priority}`}>{PRIORITY_LABELS[task.priority]}</span>
                  </td>
                  <td className="col-assignee">{task.assignee ?? '—'}</td>
                  <td className="col-due">
                    {task.due_date !== null ? (
                      <span className={overdue ? 'is-overdue' : undefined} data-testid="task-due">
                        {overdue && <strong>Overdue · </strong>}
                        <DueTime due={task} />
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="col-created">
                    <time dateTime={task.created_at}>{formatDate(task.created_at)}</time>
                  </td>
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={6} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
        {query.data && tasks.length === 0 && <p className="muted list__empty">No tasks match these filters.</p>}
      </div>
      {hasNextPage && (
        <button type="button" className="button button--ghost list__more" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
