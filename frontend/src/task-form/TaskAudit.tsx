// Who created a task and who changed it last, by name (accounts only; single-user mode has no one to name).
import { useUsers } from '../api/accountHooks';
import type { Task } from '../api/types';
import { useAccess } from '../auth/access';

export function TaskAudit({ task }: { task: Task }) {
  const { authRequired } = useAccess();
  const users = useUsers(authRequired);
  if (!authRequired) return null;
  const nameOf = (id: string | null | undefined): string => {
    if (id === null || id === undefined) return 'no one known';
    if (!users.data) return '…';
    return users.data.find((user) => user.id === id)?.name ?? 'a former member';
  };
  return (
    <p className="task-audit muted" data-testid="task-audit">
      Created by <strong>{nameOf(task.created_by)}</strong> · last changed by <strong>{nameOf(task.updated_by)}</strong>
    </p>
  );
}
