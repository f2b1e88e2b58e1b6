// Edit or delete one task. Saves send If-Match; a 412 offers to reload the task someone else changed.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type FieldErrors } from '../api/errors';
import { useDeleteTask, useTask, useUpdateTask } from '../api/hooks';
import { subscribeTaskChanges } from '../api/live';
import type { Task } from '../api/types';
import { useAccess } from '../auth/access';
import { useNotify } from '../notices/notices';
import { Modal } from './Modal';
import { TaskAudit } from './TaskAudit';
import { TaskFields } from './TaskFields';
import { formFromTask, formProblems, updateBody, type TaskFormValues } from './taskForm';

interface Props {
  taskId: string;
  onClose: () => void;
}

export function EditTaskDialog({ taskId, onClose }: Props) {
  const { data: task, isPending, isError, error, refetch } = useTask(taskId);
  const { canWrite } = useAccess();
  const notify = useNotify();
  const title = useRef<string | null>(null);
  useEffect(() => {
    if (task) title.current = task.title;
  }, [task]);
  // Someone else deleted the task while it is open here: nothing left to edit.
  useEffect(
    () =>
      subscribeTaskChanges((change) => {
        if (change.id !== taskId || change.type !== 'task.deleted' || change.own) return;
        const name = title.current === null ? 'This task' : `“${title.current}”`;
        notify({ tone: 'info', message: `${name} was deleted by someone else.` });
        onClose();
      }),
    [taskId, notify, onClose],
  );
  return (
    <Modal title={canWrite ? 'Edit task' : 'Task'} onClose={onClose}>
      {isPending && <p className="muted">Loading the task…</p>}
      {isError && (
        <div className="form-error" role="alert">
          <p>{error instanceof ApiError && error.status === 404 ? 'This task no longer exists.' : error.message}</p>
          <button type="button" className="button" onClick={() => void refetch()}>
            Try again
          </button>
        </div>
      )}
      {task && (canWrite ? <EditForm key={task.id} task={task} onReload={refetch} onClose={onClose} /> : <TaskView task={task} onClose={onClose} />)}
    </Modal>
  );
}

/** A viewer's look at a task: the same fields, nothing to change. */
function TaskView({ task, onClose }: { task: Task; onClose: () => void }) {
  return (
    <div className="task-form">
      <TaskAudit task={task} />
      <TaskFields values={formFromTask(task)} errors={{}} onChange={() => undefined} disabled />
      <div className="modal__actions">
        <button type="button" className="button button--primary" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

interface FormProps {
  task: Task;
  onReload: () => Promise<{ data?: Task | undefined }>;
  onClose: () => void;
}

function EditForm({ task, onReload, onClose }: FormProps) {
  // The version the user started from: what If-Match says, until they reload on purpose.
  const [base, setBase] = useState<Task>(task);
  const [values, setValues] = useState<TaskFormValues>(() => formFromTask(task));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const update = useUpdateTask();
  const remove = useDeleteTask();
  const notify = useNotify();
  const busy = update.isPending || remove.isPending;

  // Someone else saved a newer version while this form is open (the live stream says so before a save is refused).
  useEffect(
    () =>
      subscribeTaskChanges((change) => {
        if (change.id === base.id && change.type === 'task.updated' && !change.own && change.version > base.version) setChangedElsewhere(true);
      }),
    [base.id, base.version],
  );

  const showError = (err: Error) => {
    if (err instanceof ApiError && err.isConflict) {
      setConflict(true);
      setFormError(null);
      return;
    }
    setErrors(err instanceof ApiError ? err.fieldErrors : {});
    setFormError(err.message);
  };

  const reload = async () => {
    const { data } = await onReload();
    if (!data) return;
    setBase(data);
    setValues(formFromTask(data));
    setErrors({});
    setFormError(null);
    setConflict(false);
    setChangedElsewhere(false);
  };

  return (
    <form
      className="task-form"
      onSubmit={(e) => {
        e.preventDefault();
        const problems = formProblems(values, formFromTask(base));
        setErrors(problems);
        if (Object.keys(problems).length > 0) return;
        const changes = updateBody(base, values);
        if (Object.keys(changes).length === 0) {
          onClose();
          return;
        }
        setFormError(null);
        update.mutate(
          { task: base, changes },
          {
            onSuccess: (saved) => {
              notify({ tone: 'info', message: `Saved “${saved.title}”.` });
              onClose();
            },
            onError: showError,
          },
        );
      }}
    >
      {conflict && (
        <div className="conflict" role="alert">
          <p>
            <strong>Someone else changed this task</strong> since you opened it, so your changes were not saved. Reload it to
            see the current version (your edits here will be replaced).
          </p>
          <button type="button" className="button" onClick={() => void reload()}>
            Reload task
          </button>
        </div>
      )}
      {changedElsewhere && !conflict && (
        <div className="conflict" role="alert">
          <p>
            <strong>Changed by someone else</strong> while you had it open: saving now would be refused. Load their
            version to continue from it (your edits here will be replaced).
          </p>
          <button type="button" className="button" onClick={() => void reload()}>
            Load their version
          </button>
        </div>
      )}
      <TaskAudit task={base} />
      <TaskFields values={values} errors={errors} onChange={setValues} disabled={busy} />
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      {confirmingDelete ? (
        <div className="confirm" role="group" aria-label="Confirm deletion">
          <p>Delete “{base.title}”? This cannot be undone.</p>
          <div className="modal__actions">
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setConfirmingDelete(false);
              }}
            >
              Keep it
            </button>
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => {
                remove.mutate(base, {
                  onSuccess: () => {
                    notify({ tone: 'info', message: `Deleted “${base.title}”.` });
                    onClose();
                  },
                  onError: (err) => {
                    setConfirmingDelete(false);
                    showError(err);
                  },
                });
              }}
            >
              Yes, delete
            </button>
          </div>
        </div>
      ) : (
        <div className="modal__actions modal__actions--split">
          <button
            type="button"
            className="button button--danger-ghost"
            onClick={() => {
              setConfirmingDelete(true);
            }}
          >
            Delete…
          </button>
          <div className="modal__actions">
            <button type="button" className="button button--ghost" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button--primary" disabled={busy || conflict}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
