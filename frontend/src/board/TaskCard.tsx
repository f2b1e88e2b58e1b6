// One task on the board: drag it with the mouse, or focus its handle and move it with the keyboard.
import { useDraggable } from '@dnd-kit/core';
import { useEffect, useRef, type KeyboardEventHandler, type PointerEventHandler, type ReactNode } from 'react';
import type { Task, TaskStatus } from '../api/types';
import { useAccess } from '../auth/access';
import { isOverdue } from '../tasks/dates';
import { DueTime } from '../tasks/DueTime';
import { PRIORITY_LABELS } from '../tasks/labels';

interface Props {
  task: Task;
  onOpen: (task: Task) => void;
}

/** After a keyboard move, the card that should take focus where it landed. */
export interface FocusRequest {
  id: string;
  status: TaskStatus;
}

export function TaskCardBody({ task, onOpen, handle }: Props & { handle?: ReactNode }) {
  const overdue = isOverdue(task);
  return (
    <>
      <div className="card__top">
        <button
          type="button"
          className="card__title"
          onClick={() => {
            onOpen(task);
          }}
        >
          {task.title}
        </button>
        {handle}
      </div>
      {task.description && <p className="card__description">{task.description}</p>}
      <div className="card__meta">
        <span className={`badge badge--${task.priority}`}>{PRIORITY_LABELS[task.priority]}</span>
        {task.assignee && <span className="card__assignee">@{task.assignee}</span>}
        {task.due_date !== null && (
          <span className={`card__due${overdue ? ' is-overdue' : ''}`} data-testid="task-due">
            {overdue && <strong>Overdue · </strong>}
            <DueTime due={task} />
          </span>
        )}
      </div>
    </>
  );
}

interface CardProps extends Props {
  focusRequest: FocusRequest | null;
  onFocused: () => void;
}

export function TaskCard({ task, onOpen, focusRequest, onFocused }: CardProps) {
  // A viewer's cards stay put: no drag, no handle (the API would refuse the move anyway).
  const { canWrite } = useAccess();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({
    id: task.id,
    data: { task, status: task.status },
    disabled: !canWrite,
  });
  const handleRef = useRef<HTMLButtonElement | null>(null);
  // A moved card is a new element in another column; keyboard users keep their place on it.
  const wantsFocus = focusRequest?.id === task.id && focusRequest.status === task.status;
  useEffect(() => {
    if (wantsFocus) {
      handleRef.current?.focus();
      onFocused();
    }
  }, [wantsFocus, onFocused]);
  // The whole card starts a mouse/touch drag; only the handle takes keyboard focus, so buttons never nest.
  const onPointerDown = listeners?.onPointerDown as PointerEventHandler | undefined;
  const onKeyDown = listeners?.onKeyDown as KeyboardEventHandler | undefined;
  return (
    <li
      ref={setNodeRef}
      className={`card${isOverdue(task) ? ' card--overdue' : ''}${isDragging ? ' is-dragging' : ''}${canWrite ? '' : ' card--fixed'}`}
      data-testid="task-card"
      data-task-id={task.id}
      onPointerDown={canWrite ? onPointerDown : undefined}
    >
      <TaskCardBody
        task={task}
        onOpen={onOpen}
        handle={
          canWrite && (
            <button
              type="button"
              ref={(node) => {
                handleRef.current = node;
                setActivatorNodeRef(node);
              }}
              className="card__handle"
              {...attributes}
              onKeyDown={onKeyDown}
              aria-label={`Move “${task.title}”`}
            >
              <span aria-hidden="true">⠿</span>
            </button>
          )
        }
      />
    </li>
  );
}
