// The signed-in person's own account: their name, and a new password (which ends their other sessions and API tokens).
import { useId, useState } from 'react';
import { useChangePassword, useUpdateMe } from '../api/accountHooks';
import { ApiError } from '../api/errors';
import { useAccess } from '../auth/access';
import { PASSWORD_HINT, PASSWORD_LENGTH } from '../auth/passwordRules';
import { PageShell } from '../navigation/PageShell';
import { ROLE_LABELS } from '../people/roles';

function NameForm({ name: current }: { name: string }) {
  const id = useId();
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState(false);
  const update = useUpdateMe();
  const error = update.error instanceof ApiError ? (update.error.fieldErrors.name ?? update.error.message) : update.error?.message;
  return (
    <form
      className="panel__form"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        update.mutate(
          { name: name.trim() },
          {
            onSuccess: () => {
              setSaved(true);
            },
          },
        );
      }}
    >
      <h3 id={`${id}-heading`}>Name</h3>
      <div className="field">
        <label htmlFor={`${id}-name`}>Your name</label>
        <input
          id={`${id}-name`}
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setSaved(false);
          }}
          aria-invalid={error !== undefined}
          aria-describedby={error !== undefined ? `${id}-name-error` : undefined}
        />
        {error !== undefined && (
          <p id={`${id}-name-error`} className="field__error" role="alert">
            {error}
          </p>
        )}
      </div>
      <p role="status" className="secret__status">
        {saved ? 'Name saved.' : ''}
      </p>
      <div>
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save name'}
        </button>
      </div>
    </form>
  );
}

function passwordMessage(error: Error): string {
  if (error instanceof ApiError && error.status === 403) return 'Your current password is not right.';
  if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) return 'The new password needs another look.';
  return error.message;
}

function PasswordForm() {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const change = useChangePassword();
  const fieldError = change.error instanceof ApiError ? change.error.fieldErrors.new_password : undefined;
  return (
    <form
      className="panel__form"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        setDone(false);
        change.mutate(
          { current_password: current, new_password: next },
          {
            onSuccess: () => {
              setCurrent('');
              setNext('');
              setDone(true);
            },
          },
        );
      }}
    >
      <h3 id={`${id}-heading`}>Password</h3>
      <p className="muted">A new password signs you out everywhere else, and your API tokens stop working.</p>
      <div className="field-row field-row--wide">
        <div className="field">
          <label htmlFor={`${id}-current`}>Current password</label>
          <input
            id={`${id}-current`}
            name="current_password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => {
              setCurrent(e.target.value);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-new`}>New password</label>
          <input
            id={`${id}-new`}
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_LENGTH.min}
            maxLength={PASSWORD_LENGTH.max}
            value={next}
            onChange={(e) => {
              setNext(e.target.value);
            }}
            aria-invalid={fieldError !== undefined}
            aria-describedby={[`${id}-hint`, fieldError !== undefined ? `${id}-new-error` : ''].join(' ').trim()}
          />
          <p id={`${id}-hint`} className="field__hint field__hint--start">
            {PASSWORD_HINT}
          </p>
          {fieldError !== undefined && (
            <p id={`${id}-new-error`} className="field__error">
              {fieldError}
            </p>
          )}
        </div>
      </div>
      {change.isError && (
        <p className="form-error" role="alert">
          {passwordMessage(change.error)}
        </p>
      )}
      <p role="status" className="secret__status">
        {done ? 'Password changed. Your other sessions and your API tokens have ended.' : ''}
      </p>
      <div>
        <button type="submit" className="button button--primary" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}

export function AccountPage() {
  const { me } = useAccess();
  if (me === null) return null;
  return (
    <PageShell>
        <section className="panel" aria-labelledby="account-heading">
          <h2 id="account-heading">Your account</h2>
          <p className="muted">
            {me.email} · {ROLE_LABELS[me.role]}
          </p>
          <NameForm name={me.name} />
          <PasswordForm />
        </section>
    </PageShell>
  );
}
