// The msw server for unit tests: requests are answered at the fetch level, per test, with `server.use(...)`.
import { setupServer } from 'msw/node';

export const server = setupServer();

/** The API's origin in tests: the page's own, as when VITE_API_URL is unset. */
export const API = window.location.origin;
