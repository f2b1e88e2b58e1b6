// The SSE parser (chunks cut anywhere, multi-line data, comments, id, retry) and the reader (headers, resume, backoff, 401, stop).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SseParser, openEventStream, type SseMessage, type StreamState } from './eventStream';

function parse(chunks: string[]): { messages: SseMessage[]; parser: SseParser } {
  const messages: SseMessage[] = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.feed(chunk);
  return { messages, parser };
}

const STREAM =
  ': connected\nretry: 2000\n\n' +
  'id: 41\ndata: {"type": "task.created", "id": "a", "version": 1}\n\n' +
  ': ping\n\n' +
  'event: resync\nid: 42\ndata: {"type": "resync"}\n\n';

describe('SseParser', () => {
  it('reads messages, ids, the retry delay and the event name, and skips comments', () => {
    const { messages, parser } = parse([STREAM]);
    expect(messages).toEqual([
      { event: 'message', data: '{"type": "task.created", "id": "a", "version": 1}', lastEventId: '41' },
      { event: 'resync', data: '{"type": "resync"}', lastEventId: '42' },
    ]);
    expect(parser.retry).toBe(2000);
    expect(parser.lastEventId).toBe('42');
  });

  it('gives the same messages whatever the chunks, even one character at a time', () => {
    const whole = parse([STREAM]).messages;
    expect(parse(STREAM.split('')).messages).toEqual(whole);
    for (let cut = 1; cut < STREAM.length; cut += 7) {
      expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)]).messages).toEqual(whole);
    }
  });

  it('joins data lines with newlines and accepts CRLF and CR line ends, a CRLF split between chunks too', () => {
    const { messages } = parse(['data: one\r', '\ndata:two\rdata:  three\r\n\r', '\n']);
    expect(messages).toEqual([{ event: 'message', data: 'one\ntwo\n three', lastEventId: '' }]);
  });

  it('waits for the blank line: a message without its end is not dispatched, and a reset drops it', () => {
    const { messages, parser } = parse(['id: 7\ndata: half']);
    expect(messages).toEqual([]);
    parser.reset();
    parser.feed('\n\ndata: next\n\n');
    expect(messages).toEqual([{ event: 'message', data: 'next', lastEventId: '7' }]);
  });

  it('ignores a retry that is not digits, an id holding NUL, and a block with no data', () => {
    const { messages, parser } = parse(['retry: soon\nid: 3\n\nid: 4\0\nevent: x\n\ndata: y\n\n']);
    expect(parser.retry).toBeNull();
    expect(messages).toEqual([{ event: 'message', data: 'y', lastEventId: '3' }]);
  });
});

/** A response whose body the test writes to, and closes or fails, at will. */
function streamResponse(status = 200) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } }),
    send: (text: string) => {
      controller.enqueue(encoder.encode(text));
    },
    end: () => {
      controller.close();
    },
  };
}

/** Lets promises and stream reads run without moving the fake clock (vi.waitFor would advance it). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await vi.advanceTimersByTimeAsync(0);
}

describe('openEventStream', () => {
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    vi.useRealTimers();
  });

  it('sends the bearer token, reports live, and passes each message on', async () => {
    const stream = streamResponse();
    const fetch = vi.fn<typeof globalThis.fetch>().mockResolvedValue(stream.response);
    const states: StreamState[] = [];
    const messages: string[] = [];
    stop = openEventStream({ url: '/events', token: () => 'tok', fetch, onState: (s) => states.push(s), onMessage: (m) => messages.push(m.data) });
    await vi.waitFor(() => {
      expect(states).toEqual(['connecting', 'live']);
    });
    const headers = fetch.mock.calls[0]?.[1]?.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer tok');
    expect(headers['Last-Event-ID']).toBeUndefined();
    stream.send('id: 5\ndata: {"a"');
    stream.send(': 1}\n\n');
    await vi.waitFor(() => {
      expect(messages).toEqual(['{"a": 1}']);
    });
  });

  it('reconnects after the server ends the stream, after its retry delay, sending the last id as Last-Event-ID', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = streamResponse();
    const second = streamResponse();
    const fetch = vi.fn<typeof globalThis.fetch>().mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response);
    const states: StreamState[] = [];
    const opened: boolean[] = [];
    stop = openEventStream({
      url: '/events',
      token: () => null,
      fetch,
      onState: (s) => states.push(s),
      onMessage: () => undefined,
      onOpen: (resumed) => opened.push(resumed),
    });
    await flush();
    expect(states).toEqual(['connecting', 'live']);
    first.send('retry: 1500\nid: 12\ndata: x\n\n');
    first.end();
    await flush();
    expect(states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_499);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(fetch).toHaveBeenCalledTimes(2);
    const headers = fetch.mock.calls[1]?.[1]?.headers as Record<string, string>;
    expect(headers['Last-Event-ID']).toBe('12');
    expect(headers.Authorization).toBeUndefined();
    expect(opened).toEqual([false, true]);
  });

  it('after an attempt that sent Last-Event-ID got no answer (a refused CORS preflight), tries once without it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = streamResponse();
    const third = streamResponse();
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(first.response)
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(third.response);
    const opened: boolean[] = [];
    stop = openEventStream({ url: '/events', token: () => null, fetch, onState: () => undefined, onMessage: () => undefined, onOpen: (r) => opened.push(r), retryMs: 100 });
    await flush();
    first.send('id: 30\ndata: x\n\n');
    first.end();
    await flush();
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    await vi.advanceTimersByTimeAsync(200);
    await flush();
    const sent = fetch.mock.calls.map((call) => (call[1]?.headers as Record<string, string>)['Last-Event-ID']);
    expect(sent).toEqual([undefined, '30', undefined]);
    // Opened without a resume: the page refetches what it shows.
    expect(opened).toEqual([false, false]);
  });

  it('backs off twice as long after each failure and says offline after the third', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fetch = vi.fn<typeof globalThis.fetch>().mockRejectedValue(new TypeError('Failed to fetch'));
    const states: StreamState[] = [];
    stop = openEventStream({ url: '/events', token: () => null, fetch, onState: (s) => states.push(s), onMessage: () => undefined, retryMs: 100 });
    await flush();
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(states.slice(0, 4)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting']);
    expect(states).toContain('offline');
  });

  it('hands a refused token to onUnauthorized and stops trying', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fetch = vi.fn<typeof globalThis.fetch>().mockResolvedValue(new Response(null, { status: 401 }));
    const refused: string[] = [];
    stop = openEventStream({ url: '/events', token: () => 'old', fetch, onState: () => undefined, onMessage: () => undefined, onUnauthorized: (t) => refused.push(t) });
    await flush();
    expect(refused).toEqual(['old']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('aborts the request when stopped, and does not reconnect', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = streamResponse();
    let signal: AbortSignal | undefined;
    const fetch = vi.fn<typeof globalThis.fetch>().mockImplementation((_url, init) => {
      signal = init?.signal ?? undefined;
      return Promise.resolve(stream.response);
    });
    const states: StreamState[] = [];
    const stopNow = openEventStream({ url: '/events', token: () => null, fetch, onState: (s) => states.push(s), onMessage: () => undefined });
    await flush();
    expect(states).toEqual(['connecting', 'live']);
    stopNow();
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toBe('live');
  });
});
