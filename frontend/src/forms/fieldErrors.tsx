// A form's errors per field, tied to their inputs for assistive technology: the input is marked
// invalid and described by its error (and by a hint, when it has one).
import type { ReactNode } from 'react';
import type { FieldErrors } from '../api/errors';

export function fieldErrorsOf(id: string, errors: FieldErrors) {
  const errorId = (field: string) => `${id}-${field}-error`;
  const described = (field: string, hint?: string) => {
    if (errors[field] === undefined) return hint ? { 'aria-describedby': hint } : {};
    return { 'aria-invalid': true as const, 'aria-describedby': [hint, errorId(field)].filter(Boolean).join(' ') };
  };
  const error = (field: string): ReactNode =>
    errors[field] !== undefined && (
      <p id={errorId(field)} className="field__error">
        {errors[field]}
      </p>
    );
  return { described, error };
}
