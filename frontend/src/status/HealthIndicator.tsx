// The backend's state from /health: connected, degraded (database failing) or unreachable.
import { useHealth } from '../api/hooks';
import type { Connection } from '../api/client';

const LABELS: Record<Connection | 'checking', string> = {
  checking: 'Checking…',
  connected: 'Connected',
  degraded: 'Degraded',
  unreachable: 'Unreachable',
};

const DESCRIPTIONS: Record<Connection | 'checking', string> = {
  checking: 'Checking the server.',
  connected: 'The server and its database are answering.',
  degraded: 'The server answers but its database does not: changes may fail.',
  unreachable: 'The server cannot be reached.',
};

export function HealthIndicator() {
  const { data } = useHealth();
  const state = data?.connection ?? 'checking';
  return (
    <p className={`health health--${state}`} role="status" title={DESCRIPTIONS[state]} data-testid="health">
      <span className="health__dot" aria-hidden="true" />
      <span className="visually-hidden">Backend: </span>
      {LABELS[state]}
    </p>
  );
}
