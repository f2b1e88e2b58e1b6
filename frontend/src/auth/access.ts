// Who is using the page and what they may do, shared through React context.
import { createContext, useContext } from 'react';
import type { User } from '../api/types';

export interface Access {
  /** false in single-user mode: no sign-in, no people, everyone may do everything. */
  authRequired: boolean;
  /** The person signed in; null in single-user mode. */
  me: User | null;
  /** Viewers read only; the API refuses their writes anyway (403), the page offers none. */
  canWrite: boolean;
  isAdmin: boolean;
}

export const SINGLE_USER: Access = { authRequired: false, me: null, canWrite: true, isAdmin: false };

export function accessOf(me: User): Access {
  return { authRequired: true, me, canWrite: me.role !== 'viewer', isAdmin: me.role === 'admin' };
}

export const AccessContext = createContext<Access>(SINGLE_USER);

export function useAccess(): Access {
  return useContext(AccessContext);
}
