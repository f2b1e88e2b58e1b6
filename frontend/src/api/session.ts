// The signed-in session: the bearer token in localStorage with its expiry, and who wants to know when it changes.
// Why localStorage and not a cookie: README, "Where the session lives (threat model)".

const STORAGE_KEY = 'taskflow.session';

interface StoredSession {
  token: string;
  /** Milliseconds since the epoch after which the API no longer takes the token. */
  expiresAt: number;
}

export interface SessionState {
  /** The token to send, or null when nobody is signed in. */
  token: string | null;
  expiresAt: number | null;
  /**
   * The session ended without the person signing out (the API answered 401, or it expired): the
   * sign-in page says "your session ended". False after signing out on purpose.
   */
  ended: boolean;
}

const SIGNED_OUT: SessionState = { token: null, expiresAt: null, ended: false };

function read(): StoredSession | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const value = JSON.parse(raw) as Partial<StoredSession> | null;
    if (typeof value?.token !== 'string' || typeof value.expiresAt !== 'number') return null;
    return { token: value.token, expiresAt: value.expiresAt };
  } catch {
    // Storage refused (private mode, quota) or something else wrote the key: nobody signed in.
    return null;
  }
}

function fromStorage(): SessionState {
  const stored = read();
  if (stored === null) return SIGNED_OUT;
  if (stored.expiresAt <= Date.now()) {
    window.localStorage.removeItem(STORAGE_KEY);
    return { ...SIGNED_OUT, ended: true };
  }
  return { token: stored.token, expiresAt: stored.expiresAt, ended: false };
}

let state: SessionState = fromStorage();
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

// Signing in or out in another tab changes this one too.
window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY && event.key !== null) return;
  const next = fromStorage();
  if (next.token !== state.token) set(next);
});

/** The current session, the same object until it changes (for useSyncExternalStore). */
export function currentSession(): SessionState {
  return state;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The token to send now; null when none, or when the one held has expired (which ends the session). */
export function sessionToken(): string | null {
  if (state.token !== null && state.expiresAt !== null && state.expiresAt <= Date.now()) endSession(state.token);
  return state.token;
}

/** Keeps the token the API issued, good for `expiresIn` seconds from now. */
export function startSession(token: string, expiresIn: number): void {
  const session: StoredSession = { token, expiresAt: Date.now() + expiresIn * 1000 };
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage refused: the session lasts as long as the page.
  }
  set({ ...session, ended: false });
}

/**
 * The session with `token` ended without the person asking (a 401, or its expiry): dropped, and the
 * sign-in page says so. A token other than the current one (a request sent before signing in again)
 * changes nothing.
 */
export function endSession(token: string): void {
  if (state.token !== token) return;
  window.localStorage.removeItem(STORAGE_KEY);
  set({ ...SIGNED_OUT, ended: true });
}

/** The person signed out: the token is dropped and the sign-in page shows no warning. */
export function clearSession(): void {
  window.localStorage.removeItem(STORAGE_KEY);
  set(SIGNED_OUT);
}
