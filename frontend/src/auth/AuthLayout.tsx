// The frame of the pages shown before signing in: the name, one heading, a card.
import type { ReactNode } from 'react';
import { ConnectionBanner } from '../status/ConnectionBanner';

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <ConnectionBanner />
      <main id="main" className="auth">
        <div className="auth__card">
          <p className="auth__brand">
            <span className="logo" aria-hidden="true">
              ✓
            </span>
            TaskFlow
          </p>
          <h1>{title}</h1>
          {children}
        </div>
      </main>
    </>
  );
}
