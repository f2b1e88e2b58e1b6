// Decides what the page shows: single-user mode, the sign-in or join page, or a signed-in person's page.
import { useEffect, type ReactNode } from 'react';
import { useApiInfo, useMe, useSession } from './api/accountHooks';
import { endSession } from './api/session';
import { AccountPage } from './account/AccountPage';
import { App } from './App';
import { AccessContext, accessOf, useAccess } from './auth/access';
import { JoinPage } from './auth/JoinPage';
import { SignInPage } from './auth/SignInPage';
import { usePathname } from './navigation/location';
import { Topbar } from './navigation/Topbar';
import { PeoplePage } from './people/PeoplePage';
import { ConnectionBanner } from './status/ConnectionBanner';
import { TokensPage } from './tokens/TokensPage';

/** setTimeout's longest delay (about 24.8 days); a later expiry is checked again when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function Waiting({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="auth">
      <p className="auth__card" role="status">
        {children}
      </p>
    </main>
  );
}

export function Root() {
  const info = useApiInfo();
  const session = useSession();
  const path = usePathname();
  if (info.isPending) return <Waiting>Loading TaskFlow…</Waiting>;
  // The API did not say (it is away): a page holding a session is in accounts mode, any other shows the
  // tasks as in single-user mode, with the banner saying the server is away. The mode is asked again
  // every few seconds until it answers.
  const authRequired = info.data ? info.data.auth === 'required' : session.token !== null;
  if (!authRequired) return <App />;
  const openSignup = info.data?.signup === 'open';
  if (path === '/join') return <JoinPage openSignup={openSignup} />;
  if (session.token === null) return <SignInPage ended={session.ended} openSignup={openSignup} />;
  return <SignedIn token={session.token} expiresAt={session.expiresAt} />;
}

function SignedIn({ token, expiresAt }: { token: string; expiresAt: number | null }) {
  const me = useMe(true);

  // The session ends here when its time is up, even if the page sends nothing then.
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = window.setTimeout(
      () => {
        if (Date.now() >= expiresAt) endSession(token);
      },
      Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
    );
    return () => {
      window.clearTimeout(timer);
    };
  }, [token, expiresAt]);

  if (me.isPending) return <Waiting>Loading your account…</Waiting>;
  if (me.isError) {
    // A 401 has already ended the session (the sign-in page shows); this is the server being away.
    return (
      <>
        <ConnectionBanner />
        <Waiting>
          Could not load your account: {me.error.message}{' '}
          <button type="button" className="button button--small" onClick={() => void me.refetch()}>
            Try again
          </button>
        </Waiting>
      </>
    );
  }
  return (
    <AccessContext.Provider value={accessOf(me.data)}>
      <SignedInPage />
    </AccessContext.Provider>
  );
}

function SignedInPage() {
  const path = usePathname();
  const { isAdmin } = useAccess();
  if (path === '/tokens') return <TokensPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/people') {
    return isAdmin ? (
      <PeoplePage />
    ) : (
      <>
        <Topbar />
        <main id="main" className="page">
          <h2>People</h2>
          <p>Only admins manage the team.</p>
        </main>
      </>
    );
  }
  return <App />;
}
