// Vitest setup: DOM matchers, the msw server that stands in for the network, and what jsdom lacks.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { clearSession } from '../api/session';
import { server } from './server';

// jsdom has <dialog> but not its modal methods; these do what the tests rely on (open/close state).
if (!('showModal' in HTMLDialogElement.prototype)) {
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.setAttribute('open', '');
    },
    close(this: HTMLDialogElement) {
      this.removeAttribute('open');
    },
  });
}

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  cleanup();
  server.resetHandlers();
  window.history.replaceState(null, '', '/');
  // Each test starts signed out, whatever the one before did.
  clearSession();
  window.localStorage.clear();
});
afterAll(() => {
  server.close();
});
