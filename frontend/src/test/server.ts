// The msw server for unit tests: requests are answered at the fetch level, per test, with `server.use(...)`.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

/** The API's origin in tests: the page's own, as when VITE_API_URL is unset. */
export const API = window.location.origin;

/**
 * GET /events by default: a stream that says it is connected and then stays quiet until the page closes it,
 * as the API's does when nothing changes. A test that needs events replaces it.
 */
export const quietEventStream = http.get(`${API}/events`, ({ request }) => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(': connected\nretry: 2000\n\n'));
      request.signal.addEventListener('abort', () => {
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
  });
  return new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });
});

export const server = setupServer(quietEventStream);
