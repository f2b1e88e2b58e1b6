// Creating an account, from an invitation link (`/join?invitation=…`) or, where signup is open, without one.
import { useEffect, useId, useRef, useState } from 'react';
import { useJoin } from '../api/accountHooks';
import { ApiError } from '../api/errors';
import { fieldErrorsOf } from '../forms/fieldErrors';
import { followLink, navigate } from '../navigation/location';
import { AuthLayout } from './AuthLayout';
import { PASSWORD_HINT, PASSWORD_LENGTH } from './passwordRules';

interface Props {
  /** Anyone may register (`signup: "open"`); otherwise only with an invitation. */
  openSignup: boolean;
}

function formMessage(error: Error): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return 'This invitation link is no longer valid: it was used, revoked or has expired. Ask an admin for a new one.';
    if (error.status === 409) return 'An account with this email already exists. Sign in instead.';
    if (error.status === 422 && Object.keys(error.fieldErrors).length > 0) return 'Some fields need another look.';
  }
  return error.message;
}

export function JoinPage({ openSignup }: Props) {
  const id = useId();
  const invitation = new URLSearchParams(window.location.search).get('invitation');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const join = useJoin();
  const first = useRef<HTMLInputElement>(null);
  const fieldErrors = join.error instanceof ApiError ? join.error.fieldErrors : {};

  useEffect(() => {
    first.current?.focus();
  }, []);

  if (!invitation && !openSignup) {
    return (
      <AuthLayout title="Join TaskFlow">
        <p>Joining needs an invitation link from an admin of your team. Ask one to invite you.</p>
        <p className="auth__aside">
          <a href="/" onClick={followLink}>
            Sign in
          </a>{' '}
          if you already have an account.
        </p>
      </AuthLayout>
    );
  }

  const { described, error } = fieldErrorsOf(id, fieldErrors);

  return (
    <AuthLayout title="Join TaskFlow">
      <p className="muted">{invitation ? 'You were invited to the team. Create your account to start.' : 'Create your account.'}</p>
      <form
        className="auth__form"
        onSubmit={(e) => {
          e.preventDefault();
          join.mutate(
            { email: email.trim(), name: name.trim(), password, ...(invitation ? { invitation } : {}) },
            {
              onSuccess: () => {
                // The invitation's token leaves the address bar and the history entry.
                navigate('/', { replace: true });
              },
            },
          );
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            ref={first}
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
            {...described('email')}
          />
          {error('email')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="name"
            autoComplete="name"
            required
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
            {...described('name')}
          />
          {error('name')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_LENGTH.min}
            maxLength={PASSWORD_LENGTH.max}
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
            {...described('password', `${id}-password-hint`)}
          />
          <p id={`${id}-password-hint`} className="field__hint field__hint--start">
            {PASSWORD_HINT}
          </p>
          {error('password')}
        </div>
        {join.isError && (
          <p className="form-error" role="alert">
            {formMessage(join.error)}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={join.isPending}>
          {join.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="auth__aside">
        Already have an account?{' '}
        <a href="/" onClick={followLink}>
          Sign in
        </a>
      </p>
    </AuthLayout>
  );
}
