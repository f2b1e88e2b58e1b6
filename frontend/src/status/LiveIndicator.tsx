// Whether the tasks page receives changes as they happen (the /events stream), or falls back to refetching.
import { useLiveState, type LiveState } from '../api/live';

const LABELS: Record<Exclude<LiveState, 'idle'>, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — refreshing on focus',
};

const DESCRIPTIONS: Record<Exclude<LiveState, 'idle'>, string> = {
  connecting: 'Connecting to the live updates.',
  live: 'Changes by others show as they happen.',
  reconnecting: 'The live updates were interrupted; reconnecting. Tasks are refetched meanwhile.',
  offline: 'No live updates: tasks are refetched when the page regains focus and every 30 seconds.',
};

/** Shown only while a page keeps the stream open (the tasks page). */
export function LiveIndicator() {
  const state = useLiveState();
  if (state === 'idle') return null;
  return (
    <p className={`live live--${state}`} role="status" title={DESCRIPTIONS[state]} data-testid="live">
      <span className="live__dot" aria-hidden="true" />
      <span className="visually-hidden">Updates: </span>
      {LABELS[state]}
    </p>
  );
}
