import { describe, expect, it, vi } from 'vitest';
import { clearSession, currentSession, endSession, sessionToken, startSession, subscribeSession } from './session';

describe('session', () => {
  it('keeps the token with its expiry in localStorage and tells subscribers', () => {
    const listener = vi.fn();
    const unsubscribe = subscribeSession(listener);
    vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    startSession('tok-1', 60);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(currentSession()).toEqual({ token: 'tok-1', expiresAt: 1_060_000, ended: false });
    expect(JSON.parse(window.localStorage.getItem('taskflow.session') ?? 'null')).toEqual({ token: 'tok-1', expiresAt: 1_060_000 });
    expect(sessionToken()).toBe('tok-1');
    unsubscribe();
  });

  it('drops a token whose time is up when it would be sent, and says the session ended', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    startSession('tok-2', 60);
    now.mockReturnValue(1_060_000);
    expect(sessionToken()).toBeNull();
    expect(currentSession()).toEqual({ token: null, expiresAt: null, ended: true });
    expect(window.localStorage.getItem('taskflow.session')).toBeNull();
  });

  it('a 401 for an older token leaves the current session alone', () => {
    startSession('new', 600);
    endSession('old');
    expect(currentSession().token).toBe('new');
    endSession('new');
    expect(currentSession()).toEqual({ token: null, expiresAt: null, ended: true });
  });

  it('follows another tab signing in and out (the storage event)', () => {
    window.localStorage.setItem('taskflow.session', JSON.stringify({ token: 'other-tab', expiresAt: Date.now() + 60_000 }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'taskflow.session' }));
    expect(currentSession().token).toBe('other-tab');
    window.localStorage.removeItem('taskflow.session');
    window.dispatchEvent(new StorageEvent('storage', { key: 'taskflow.session' }));
    expect(currentSession()).toEqual({ token: null, expiresAt: null, ended: false });
  });

  it('signing out drops the token without saying the session ended', () => {
    startSession('tok-3', 600);
    clearSession();
    expect(currentSession()).toEqual({ token: null, expiresAt: null, ended: false });
    expect(window.localStorage.getItem('taskflow.session')).toBeNull();
  });
});
