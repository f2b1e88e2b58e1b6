// A task's due date as the views show it: a day as its date, an instant as local date and time.
import { dueDateTimeAttribute, formatDue, type Due } from './dates';

export function DueTime({ due }: { due: Due }) {
  const { due_date, due_all_day } = due;
  if (due_date === null) return null;
  return <time dateTime={dueDateTimeAttribute({ due_date, due_all_day })}>{formatDue({ due_date, due_all_day })}</time>;
}
