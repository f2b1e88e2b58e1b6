// The tasks page: header, stats, quick add, filters, and the board or the list (read only for viewers).
import { useState } from 'react';
import { useStats } from './api/hooks';
import { useLiveEvents } from './api/live';
import type { Task } from './api/types';
import { Board } from './board/Board';
import { FilterBar } from './filters/FilterBar';
import { useViewState } from './filters/useViewState';
import type { ViewMode } from './filters/urlState';
import { useAccess } from './auth/access';
import { TaskTable } from './list/TaskTable';
import { PageShell } from './navigation/PageShell';
import { StatsBar } from './stats/StatsBar';
import { CreateTaskDialog } from './task-form/CreateTaskDialog';
import { EditTaskDialog } from './task-form/EditTaskDialog';
import { QuickAdd } from './task-form/QuickAdd';

const VIEWS: { mode: ViewMode; label: string }[] = [
  { mode: 'board', label: 'Board' },
  { mode: 'list', label: 'List' },
];

function EmptyState({ onCreate }: { onCreate: (() => void) | null }) {
  return (
    <section className="empty" aria-labelledby="empty-heading">
      <h2 id="empty-heading">No tasks yet</h2>
      {onCreate ? (
        <>
          <p>Everything you plan lands here. Type a title above and press Enter, or write a full task.</p>
          <button type="button" className="button button--primary" onClick={onCreate}>
            Create your first task
          </button>
        </>
      ) : (
        <p>The team's tasks will show here once someone adds one.</p>
      )}
    </section>
  );
}

export function App() {
  const [state, update] = useViewState();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const stats = useStats();
  useLiveEvents();
  const { canWrite } = useAccess();
  const openTask = (task: Task) => {
    setEditingId(task.id);
  };

  return (
    <>
      <PageShell skipLabel="Skip to tasks">
        <StatsBar />
        <div className="toolbar">
          {canWrite && (
            <>
              <QuickAdd />
              <button
                type="button"
                className="button button--primary"
                onClick={() => {
                  setCreating(true);
                }}
              >
                New task…
              </button>
            </>
          )}
          <div className="segmented" role="group" aria-label="View">
            {VIEWS.map(({ mode, label }) => (
              <button
                key={mode}
                type="button"
                aria-pressed={state.view === mode}
                onClick={() => {
                  update((s) => ({ ...s, view: mode }));
                }}
              >
                {label}
              </button>
            ))}
          </div>
        </div>
        <FilterBar
          filters={state.filters}
          onChange={(filters) => {
            update((s) => ({ ...s, filters }));
          }}
        />
        {stats.data?.total === 0 ? (
          <EmptyState
            onCreate={
              canWrite
                ? () => {
                    setCreating(true);
                  }
                : null
            }
          />
        ) : state.view === 'board' ? (
          <Board filters={state.filters} onOpen={openTask} />
        ) : (
          <TaskTable
            filters={state.filters}
            sort={state.sort}
            onSort={(sort) => {
              update((s) => ({ ...s, sort }));
            }}
            onOpen={openTask}
          />
        )}
      </PageShell>
      {creating && (
        <CreateTaskDialog
          onClose={() => {
            setCreating(false);
          }}
        />
      )}
      {editingId !== null && (
        <EditTaskDialog
          taskId={editingId}
          onClose={() => {
            setEditingId(null);
          }}
        />
      )}
    </>
  );
}
