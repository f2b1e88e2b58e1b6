// Quick add: type a title, press Enter, the task is created in "To do".
import { useId, useState } from 'react';
import { ApiError } from '../api/errors';
import { useCreateTask } from '../api/hooks';
import { LIMITS } from '../api/types';
import { normalizeText, titleProblem } from './textRules';

export function QuickAdd() {
  const id = useId();
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = useCreateTask();

  return (
    <form
      className="quick-add"
      onSubmit={(e) => {
        e.preventDefault();
        if (title.trim() === '') return;
        const problem = titleProblem(title);
        setError(problem ?? null);
        if (problem !== undefined) return;
        create.mutate(
          { title: normalizeText(title) },
          {
            onSuccess: () => {
              setTitle('');
            },
            onError: (err) => {
              setError(err instanceof ApiError ? (err.fieldErrors.title ?? err.message) : err.message);
            },
          },
        );
      }}
    >
      <label htmlFor={`${id}-title`} className="visually-hidden">
        Quick add a task
      </label>
      <input
        id={`${id}-title`}
        className="quick-add__input"
        placeholder="Add a task and press Enter"
        maxLength={LIMITS.title}
        value={title}
        aria-invalid={error !== null}
        aria-describedby={error !== null ? `${id}-error` : undefined}
        onChange={(e) => {
          setTitle(e.target.value);
        }}
      />
      <button type="submit" className="button" disabled={create.isPending || title.trim() === ''}>
        Add
      </button>
      {error !== null && (
        <p id={`${id}-error`} className="field__error quick-add__error">
          {error}
        </p>
      )}
    </form>
  );
}
