// The task form's fields with the API's limits, each showing the server's message about it.
import { useId } from 'react';
import { useUsers } from '../api/accountHooks';
import type { FieldErrors } from '../api/errors';
import { LIMITS, PRIORITIES, STATUSES } from '../api/types';
import { useAccess } from '../auth/access';
import { fieldErrorsOf } from '../forms/fieldErrors';
import { PRIORITY_LABELS, STATUS_LABELS } from '../tasks/labels';
import type { TaskFormValues } from './taskForm';

interface Props {
  values: TaskFormValues;
  errors: FieldErrors;
  onChange: (values: TaskFormValues) => void;
  disabled?: boolean;
}

export function TaskFields({ values, errors, onChange, disabled = false }: Props) {
  const id = useId();
  // The team's names as suggestions for the assignee (a free text field: anyone may be named).
  const { authRequired } = useAccess();
  const team = useUsers(authRequired).data ?? [];
  const set = <K extends keyof TaskFormValues>(key: K, value: TaskFormValues[K]) => {
    onChange({ ...values, [key]: value });
  };
  const { described, error } = fieldErrorsOf(id, errors);

  return (
    <fieldset className="task-fields" disabled={disabled}>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          name="title"
          required
          maxLength={LIMITS.title}
          value={values.title}
          onChange={(e) => {
            set('title', e.target.value);
          }}
          {...described('title')}
        />
        {error('title')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          name="description"
          rows={4}
          maxLength={LIMITS.description}
          value={values.description}
          onChange={(e) => {
            set('description', e.target.value);
          }}
          {...described('description')}
        />
        <p className="field__hint">
          {values.description.length}/{LIMITS.description}
        </p>
        {error('description')}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            name="status"
            value={values.status}
            onChange={(e) => {
              set('status', e.target.value as TaskFormValues['status']);
            }}
            {...described('status')}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
          {error('status')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select
            id={`${id}-priority`}
            name="priority"
            value={values.priority}
            onChange={(e) => {
              set('priority', e.target.value as TaskFormValues['priority']);
            }}
            {...described('priority')}
          >
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {PRIORITY_LABELS[priority]}
              </option>
            ))}
          </select>
          {error('priority')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        <input
          id={`${id}-assignee`}
          name="assignee"
          maxLength={LIMITS.assignee}
          value={values.assignee}
          list={team.length > 0 ? `${id}-team` : undefined}
          autoComplete="off"
          onChange={(e) => {
            set('assignee', e.target.value);
          }}
          {...described('assignee')}
        />
        {team.length > 0 && (
          <datalist id={`${id}-team`} data-testid="assignee-suggestions">
            {[...new Set(team.filter((user) => user.active).map((user) => user.name))].map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        )}
        {error('assignee')}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-due-date`}>Due date</label>
          <input
            id={`${id}-due-date`}
            name="dueDate"
            type="date"
            value={values.dueDate}
            onChange={(e) => {
              set('dueDate', e.target.value);
            }}
            {...described('due_date')}
          />
          {error('due_date')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-due-time`}>Due time (optional)</label>
          <input
            id={`${id}-due-time`}
            name="dueTime"
            type="time"
            value={values.dueTime}
            aria-describedby={`${id}-due-time-hint`}
            onChange={(e) => {
              set('dueTime', e.target.value);
            }}
          />
          <p id={`${id}-due-time-hint`} className="field__hint field__hint--start">
            Without a time, the task is due on that day, the same date everywhere.
          </p>
        </div>
      </div>
    </fieldset>
  );
}
