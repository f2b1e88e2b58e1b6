// What every signed-in page has around its content: the skip link, the header, the connection
// banner, and the main landmark the skip link leads to.
import type { ReactNode } from 'react';
import { ConnectionBanner } from '../status/ConnectionBanner';
import { Topbar } from './Topbar';

export function PageShell({ skipLabel = 'Skip to content', children }: { skipLabel?: string; children: ReactNode }) {
  return (
    <>
      <a href="#main" className="skip-link">
        {skipLabel}
      </a>
      <Topbar />
      <ConnectionBanner />
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
