// How roles read on the page, and what each may do.
import type { Role } from '../api/types';

export const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', member: 'Member', viewer: 'Viewer' };

export const ROLE_HINTS: Record<Role, string> = {
  admin: 'everything, and manages people',
  member: 'reads and writes tasks',
  viewer: 'reads tasks only',
};
