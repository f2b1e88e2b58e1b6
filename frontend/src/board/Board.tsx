// The board: To do, In progress, Done; a card moves by drag and drop or by keyboard, saved with PATCH + If-Match.
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  rectIntersection,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { useCallback, useState } from 'react';
import { ApiError } from '../api/errors';
import { useReloadTasks, useUpdateTask } from '../api/hooks';
import { STATUSES, type Task, type TaskFilters, type TaskStatus } from '../api/types';
import { useNotify } from '../notices/notices';
import { STATUS_LABELS } from '../tasks/labels';
import { BoardColumn } from './BoardColumn';
import { columnKeyboardCoordinates } from './keyboardCoordinates';
import { TaskCardBody, type FocusRequest } from './TaskCard';

interface Props {
  filters: TaskFilters;
  onOpen: (task: Task) => void;
}

function taskOf(data: unknown): Task | undefined {
  return (data as { task?: Task } | undefined)?.task;
}

function columnName(id: unknown): string {
  return typeof id === 'string' && id in STATUS_LABELS ? STATUS_LABELS[id as TaskStatus] : String(id);
}

const announcements: Announcements = {
  onDragStart: ({ active }) =>
    `Picked up “${taskOf(active.data.current)?.title ?? ''}”. Use the arrow keys to choose a column, Space or Enter to drop, Escape to cancel.`,
  onDragOver: ({ active, over }) =>
    over ? `“${taskOf(active.data.current)?.title ?? ''}” is over ${columnName(over.id)}.` : 'Not over a column.',
  onDragEnd: ({ active, over }) =>
    over ? `“${taskOf(active.data.current)?.title ?? ''}” moved to ${columnName(over.id)}.` : 'Dropped outside the columns; nothing moved.',
  onDragCancel: ({ active }) => `Move of “${taskOf(active.data.current)?.title ?? ''}” cancelled.`,
};

const screenReaderInstructions = {
  draggable:
    'To move this task, press Space or Enter, use the arrow keys to choose a column, then press Space or Enter to drop it. Press Escape to cancel.',
};

export function Board({ filters, onOpen }: Props) {
  const columns = filters.status.length > 0 ? STATUSES.filter((s) => filters.status.includes(s)) : STATUSES;
  const [dragging, setDragging] = useState<Task | null>(null);
  const [focusRequest, setFocusRequest] = useState<FocusRequest | null>(null);
  const clearFocusRequest = useCallback(() => {
    setFocusRequest(null);
  }, []);
  const update = useUpdateTask();
  const reload = useReloadTasks();
  const notify = useNotify();
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnKeyboardCoordinates }),
  );

  const onDragStart = ({ active }: DragStartEvent) => {
    setDragging(taskOf(active.data.current) ?? null);
  };

  const onDragEnd = ({ active, over, activatorEvent }: DragEndEvent) => {
    setDragging(null);
    const task = taskOf(active.data.current);
    const target = over?.id as TaskStatus | undefined;
    if (!task || !target || target === task.status) return;
    if (activatorEvent instanceof KeyboardEvent) setFocusRequest({ id: task.id, status: target });
    update.mutate(
      { task, changes: { status: target } },
      {
        onError: (error) => {
          // Rolled back: the card is back where it was; focus its handle there.
          if (activatorEvent instanceof KeyboardEvent) setFocusRequest({ id: task.id, status: task.status });
          if (error instanceof ApiError && error.isConflict) {
            notify({
              tone: 'error',
              message: `“${task.title}” was changed by someone else, so it was not moved.`,
              action: { label: 'Reload', run: () => void reload() },
            });
          } else {
            notify({ tone: 'error', message: `Could not move “${task.title}”: ${error.message}` });
          }
        },
      },
    );
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={rectIntersection}
      accessibility={{ announcements, screenReaderInstructions }}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => {
        setDragging(null);
      }}
    >
      <div className="board" data-testid="board">
        {columns.map((status) => (
          <BoardColumn
            key={status}
            status={status}
            filters={filters}
            onOpen={onOpen}
            focusRequest={focusRequest}
            onFocused={clearFocusRequest}
          />
        ))}
      </div>
      <DragOverlay>
        {dragging && (
          <div className="card card--overlay">
            <TaskCardBody task={dragging} onOpen={() => undefined} />
          </div>
        )}
      </DragOverlay>
    </DndContext>
  );
}
