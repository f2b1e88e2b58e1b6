// Keyboard moves on the board jump a whole column at a time instead of dnd-kit's default 25 px steps.
import { KeyboardCode, type KeyboardCoordinateGetter } from '@dnd-kit/core';
import { STATUSES, type TaskStatus } from '../api/types';

const FORWARD: string[] = [KeyboardCode.Right, KeyboardCode.Down];
const BACKWARD: string[] = [KeyboardCode.Left, KeyboardCode.Up];

/** The next or previous column, in board order, among those on screen; arrows go down as well as right for narrow screens. */
export function neighbourColumn(current: TaskStatus, visible: readonly TaskStatus[], step: 1 | -1): TaskStatus | undefined {
  const ordered = STATUSES.filter((status) => visible.includes(status));
  const index = ordered.indexOf(current);
  return index === -1 ? undefined : ordered[index + step];
}

export const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const step = FORWARD.includes(event.code) ? 1 : BACKWARD.includes(event.code) ? -1 : 0;
  if (step === 0) return undefined;
  event.preventDefault();
  const current = (context.over?.id ?? (context.active?.data.current as { status?: TaskStatus } | undefined)?.status) as
    | TaskStatus
    | undefined;
  const visible = [...context.droppableRects.keys()] as TaskStatus[];
  if (current === undefined) return currentCoordinates;
  const target = neighbourColumn(current, visible, step);
  const rect = target === undefined ? undefined : context.droppableRects.get(target);
  if (!rect) return currentCoordinates;
  // Land just inside the column's top-left, below its heading, so the column is the clear best overlap.
  return { x: rect.left + 8, y: rect.top + 48 };
};
