// The header every page shares: the name, the pages a signed-in person can go to, who they are, and the backend's status.
import { useSignOut } from '../api/accountHooks';
import { useAccess } from '../auth/access';
import { HealthIndicator } from '../status/HealthIndicator';
import { LiveIndicator } from '../status/LiveIndicator';
import { ROLE_LABELS } from '../people/roles';
import { followLink, usePathname } from './location';

function NavLink({ href, children }: { href: string; children: string }) {
  const path = usePathname();
  return (
    <a href={href} className="nav__link" aria-current={path === href ? 'page' : undefined} onClick={followLink}>
      {children}
    </a>
  );
}

function AccountNav() {
  const { me, isAdmin } = useAccess();
  const signOut = useSignOut();
  if (me === null) return null;
  return (
    <>
      <nav className="nav" aria-label="Pages">
        <NavLink href="/">Tasks</NavLink>
        {isAdmin && <NavLink href="/people">People</NavLink>}
        <NavLink href="/tokens">API tokens</NavLink>
        <NavLink href="/account">Account</NavLink>
      </nav>
      <div className="account">
        <span className="account__who" data-testid="signed-in-as">
          {me.name} <span className="muted">({ROLE_LABELS[me.role]})</span>
        </span>
        <button
          type="button"
          className="button button--small"
          disabled={signOut.isPending}
          onClick={() => {
            signOut.mutate();
          }}
        >
          Sign out
        </button>
      </div>
    </>
  );
}

export function Topbar() {
  return (
    <header className="topbar">
      <h1 className="topbar__title">
        <span className="logo" aria-hidden="true">
          ✓
        </span>
        TaskFlow
      </h1>
      <AccountNav />
      <LiveIndicator />
      <HealthIndicator />
    </header>
  );
}
