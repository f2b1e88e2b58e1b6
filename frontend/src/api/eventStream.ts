// Server-sent events read with fetch: the parser (the HTML standard's rules) and a reader that reconnects.
// Why not EventSource: it cannot send the Authorization header (README, "Live updates").

export interface SseMessage {
  /** The `event:` field; "message" when the server sent none. */
  event: string;
  data: string;
  /** The last `id:` received so far, this message's or an earlier one's. */
  lastEventId: string;
}

/**
 * Turns a stream's text, in chunks cut anywhere, into messages: `data:` lines joined by "\n", `event:`,
 * `id:` (kept across messages, sent back as Last-Event-ID), `retry:` (digits only), comments (`:`) skipped.
 * Lines end in CRLF, LF or CR, a CRLF possibly split between two chunks.
 */
export class SseParser {
  lastEventId = '';
  /** The reconnection delay the server asked for, in milliseconds. */
  retry: number | null = null;
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private afterCR = false;

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  feed(chunk: string): void {
    let text = chunk;
    if (this.afterCR && text.startsWith('\n')) text = text.slice(1);
    this.afterCR = false;
    this.buffer += text;
    let start = 0;
    for (let at = 0; at < this.buffer.length; at += 1) {
      const char = this.buffer[at];
      if (char !== '\n' && char !== '\r') continue;
      this.line(this.buffer.slice(start, at));
      if (char === '\r') {
        if (at + 1 === this.buffer.length) this.afterCR = true;
        else if (this.buffer[at + 1] === '\n') at += 1;
      }
      start = at + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  /** A new connection: a message cut off by the old one is dropped; the last id and retry stay. */
  reset(): void {
    this.buffer = '';
    this.data = [];
    this.event = '';
    this.afterCR = false;
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }

  private dispatch(): void {
    const { data, event } = this;
    this.data = [];
    this.event = '';
    if (data.length === 0) return;
    this.onMessage({ event: event || 'message', data: data.join('\n'), lastEventId: this.lastEventId });
  }
}

/** connecting (first attempt), live (a stream is open), reconnecting, offline (several attempts failed; still trying). */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface EventStreamOptions {
  url: string;
  /** The bearer token to send, read at each attempt (null: none). */
  token: () => string | null;
  onMessage: (message: SseMessage) => void;
  onState: (state: StreamState) => void;
  /** A stream opened; `resumed` when it was asked to continue from a Last-Event-ID. */
  onOpen?: (resumed: boolean) => void;
  /** The API refused the token: the reader stops; the session is over. */
  onUnauthorized?: (token: string) => void;
  fetch?: typeof fetch;
  /** Before the server says (`retry:`), and the most any wait grows to. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** After this many failed attempts in a row the stream counts as offline (it keeps trying, less often). */
const ATTEMPTS_BEFORE_OFFLINE = 3;

/**
 * Reads `url` as server-sent events until the returned function is called, reconnecting after an end
 * or a failure: first after the server's `retry:`, then twice as long each time (up to `maxRetryMs`),
 * sending the last id as Last-Event-ID. A 401 hands the token to `onUnauthorized` and stops.
 */
export function openEventStream(options: EventStreamOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  // A function, not the property: the checks below run after awaits that may have aborted it.
  const stopped = () => signal.aborted;
  const fetchStream = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const parser = new SseParser(options.onMessage);

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const run = async () => {
    let failures = 0;
    // Whether to send Last-Event-ID. Cross-origin it makes the browser ask the API first (a CORS
    // preflight: the header is not one browsers send freely); an API that does not allow it fails that
    // request without an answer. So an attempt that carried it and got no answer is followed by one
    // without it: the views are then refetched instead of the missed events replayed.
    let resume = true;
    while (!stopped()) {
      options.onState(failures === 0 ? 'connecting' : failures >= ATTEMPTS_BEFORE_OFFLINE ? 'offline' : 'reconnecting');
      const token = options.token();
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      const resumed = resume && parser.lastEventId !== '';
      if (resumed) headers['Last-Event-ID'] = parser.lastEventId;
      parser.reset();
      let answered = false;
      try {
        const response = await fetchStream(options.url, { headers, signal, cache: 'no-store' });
        answered = true;
        if (response.status === 401) {
          if (token !== null) options.onUnauthorized?.(token);
          controller.abort();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`GET ${options.url} answered ${String(response.status)}`);
        failures = 0;
        resume = true;
        options.onState('live');
        options.onOpen?.(resumed);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } catch {
        // A network failure or an abort: the loop decides below.
      }
      if (stopped()) return;
      if (resumed && !answered) resume = false;
      failures += 1;
      options.onState(failures >= ATTEMPTS_BEFORE_OFFLINE ? 'offline' : 'reconnecting');
      const base = parser.retry ?? options.retryMs ?? 2_000;
      await wait(Math.min(maxRetryMs, base * 2 ** (failures - 1)));
    }
  };
  void run();
  return () => {
    controller.abort();
  };
}
