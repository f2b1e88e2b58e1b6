// The live board: GET /events kept open while the tasks page shows, applied to the cache, its state for the indicator.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { apiBaseUrl } from './config';
import { openEventStream, type StreamState } from './eventStream';
import { TASK_WRITES_KEY, ownWrites, refreshTaskViews } from './hooks';
import { applyTaskEvent, parseStreamEvent, type TaskEvent } from './liveCache';
import { queryKeys } from './queryKeys';
import { currentSession, endSession, sessionToken, subscribeSession } from './session';

/** "idle" while no page keeps a stream open. */
export type LiveState = StreamState | 'idle';

/** Events close together (a bulk edit, a resume's backlog) make one refetch of the lists, counts and stats. */
export const REFRESH_DEBOUNCE_MS = 250;
/** While the stream is down, the views are refetched this often (and on focus, as always). */
export const FALLBACK_REFETCH_MS = 30_000;

let liveState: LiveState = 'idle';
const stateListeners = new Set<() => void>();

function setLiveState(next: LiveState): void {
  if (next === liveState) return;
  liveState = next;
  for (const listener of stateListeners) listener();
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (listener) => {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    () => liveState,
  );
}

/** A task event as a view sees it: `own` when this page's own write (pending or done) could have produced it. */
export type TaskChangeSeen = TaskEvent & { own: boolean };
const changeListeners = new Set<(change: TaskChangeSeen) => void>();

/** Calls `listener` with every task event the stream brings while subscribed (an open dialog watches its task). */
export function subscribeTaskChanges(listener: (change: TaskChangeSeen) => void): () => void {
  changeListeners.add(listener);
  return () => {
    changeListeners.delete(listener);
  };
}

function isOwn(client: QueryClient, event: TaskEvent): boolean {
  // A write still on its way may be answered after its own event arrives.
  if (client.isMutating({ mutationKey: TASK_WRITES_KEY }) > 0) return true;
  const newest = ownWrites.newest(event.id);
  return newest !== undefined && newest >= event.version;
}

/** One stream's handling of what it brings; `stop` cancels a refetch still waiting. */
export function taskEventHandler(client: QueryClient) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Events wait behind one whose cache update waits for reads to be cancelled, so they apply in order.
  let queue: Promise<void> = Promise.resolve();
  let queued = 0;
  const scheduleRefresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refreshTaskViews(client), REFRESH_DEBOUNCE_MS);
  };
  const apply = (event: TaskEvent) => {
    const stale = applyTaskEvent(client, event);
    // A task created or deleted changes the counts and stats even where no cached list shows it.
    if (stale || event.type !== 'task.updated') scheduleRefresh();
  };
  return {
    handle(data: string): void {
      const event = parseStreamEvent(data);
      if (event === null) return;
      if (event.type === 'resync') {
        clearTimeout(timer);
        void refreshTaskViews(client);
        return;
      }
      const own = isOwn(client, event);
      for (const listener of changeListeners) listener({ ...event, own });
      // A read already on its way may have been answered before this change committed: left to land, it
      // would put the older version back. It is cancelled first (as an optimistic edit does) and the
      // refetch that follows the event reads after the change.
      const reading = client.isFetching({ queryKey: queryKeys.tasks }) > 0 && applyTaskEvent(client, event, true);
      if (!reading && queued === 0) {
        apply(event);
        return;
      }
      queued += 1;
      queue = queue
        .then(() => client.cancelQueries({ queryKey: queryKeys.tasks }))
        .then(() => {
          apply(event);
        })
        // One event that failed to apply must not hold up those behind it.
        .catch(() => undefined)
        .finally(() => {
          queued -= 1;
        });
    },
    stop(): void {
      clearTimeout(timer);
    },
  };
}

function useSessionToken(): string | null {
  return useSyncExternalStore(subscribeSession, () => currentSession().token);
}

/**
 * Keeps GET /events open while mounted (the tasks page), with the session's token; a new session opens a
 * new stream and signing out closes it. While the stream is down the views are refetched every 30 s, and
 * once it is back without a resume (no id received yet) they are refetched at once.
 */
export function useLiveEvents(): void {
  const client = useQueryClient();
  const token = useSessionToken();
  useEffect(() => {
    const handler = taskEventHandler(client);
    let fallback: ReturnType<typeof setInterval> | undefined;
    let wasDown = false;
    const stop = openEventStream({
      url: `${apiBaseUrl()}/events`,
      token: sessionToken,
      onMessage: (message) => {
        handler.handle(message.data);
      },
      onState: (state) => {
        setLiveState(state);
        if (state === 'live' || state === 'connecting') {
          clearInterval(fallback);
          fallback = undefined;
        } else {
          wasDown = true;
          fallback ??= setInterval(() => void refreshTaskViews(client), FALLBACK_REFETCH_MS);
        }
      },
      onOpen: (resumed) => {
        // Missed events come with a resume (or a resync); without one, what changed meanwhile is unknown.
        if (wasDown && !resumed) void refreshTaskViews(client);
        wasDown = false;
      },
      onUnauthorized: endSession,
    });
    return () => {
      stop();
      handler.stop();
      clearInterval(fallback);
      setLiveState('idle');
    };
  }, [client, token]);
}
