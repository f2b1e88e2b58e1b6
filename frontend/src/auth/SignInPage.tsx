// Sign in with email and password. Shown in place of any page while nobody is signed in, so the
// address (the view, its filters) is still there once the person is back.
import { useEffect, useId, useRef, useState } from 'react';
import { useSignIn } from '../api/accountHooks';
import { ApiError } from '../api/errors';
import { followLink } from '../navigation/location';
import { AuthLayout } from './AuthLayout';

interface Props {
  /** The session ended without the person signing out: say so. */
  ended: boolean;
  /** Anyone may create an account (`signup: "open"`): offer it. */
  openSignup: boolean;
}

function messageOf(error: Error): string {
  if (error instanceof ApiError && error.status === 401) return 'Incorrect email or password.';
  return error.message;
}

export function SignInPage({ ended, openSignup }: Props) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();
  const emailRef = useRef<HTMLInputElement>(null);
  const errorId = `${id}-error`;

  useEffect(() => {
    emailRef.current?.focus();
  }, []);

  return (
    <AuthLayout title="Sign in">
      {ended && (
        <p className="auth__notice" role="alert">
          Your session ended. Sign in again to continue where you were.
        </p>
      )}
      <form
        className="auth__form"
        aria-describedby={signIn.isError ? errorId : undefined}
        onSubmit={(e) => {
          e.preventDefault();
          signIn.mutate({ email: email.trim(), password });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            ref={emailRef}
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </div>
        {signIn.isError && (
          <p id={errorId} className="form-error" role="alert">
            {messageOf(signIn.error)}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {openSignup && (
        <p className="auth__aside">
          New here?{' '}
          <a href="/join" onClick={followLink}>
            Create an account
          </a>
        </p>
      )}
    </AuthLayout>
  );
}
