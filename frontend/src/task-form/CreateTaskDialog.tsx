// The full "new task" form in a dialog; a 422 lands on the field it concerns.
import { useState } from 'react';
import { ApiError, type FieldErrors } from '../api/errors';
import { useCreateTask } from '../api/hooks';
import { useNotify } from '../notices/notices';
import { Modal } from './Modal';
import { TaskFields } from './TaskFields';
import { EMPTY_FORM, createBody, formProblems, type TaskFormValues } from './taskForm';

export function CreateTaskDialog({ onClose }: { onClose: () => void }) {
  const [values, setValues] = useState<TaskFormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateTask();
  const notify = useNotify();

  return (
    <Modal title="New task" onClose={onClose}>
      <form
        className="task-form"
        onSubmit={(e) => {
          e.preventDefault();
          setFormError(null);
          const problems = formProblems(values);
          setErrors(problems);
          if (Object.keys(problems).length > 0) return;
          create.mutate(createBody(values), {
            onSuccess: (task) => {
              notify({ tone: 'info', message: `Created “${task.title}”.` });
              onClose();
            },
            onError: (error) => {
              setErrors(error instanceof ApiError ? error.fieldErrors : {});
              setFormError(error.message);
            },
          });
        }}
      >
        <TaskFields values={values} errors={errors} onChange={setValues} disabled={create.isPending} />
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create task'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
