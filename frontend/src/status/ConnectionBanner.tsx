// The banner shown while the API cannot be reached or its database does not answer, with a retry
// that re-asks every query. Once /health answers again, what failed is fetched anew by itself.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Connection } from '../api/client';
import { useHealth, useRefetchOnRecovery } from '../api/hooks';

const MESSAGES: Record<Exclude<Connection, 'connected'>, { title: string; tone: string }> = {
  unreachable: { title: 'Cannot reach the TaskFlow server.', tone: 'banner--error' },
  degraded: { title: 'The TaskFlow server cannot reach its database.', tone: 'banner--warn' },
};

export function ConnectionBanner() {
  const client = useQueryClient();
  const { data, isFetching } = useHealth();
  const [retrying, setRetrying] = useState(false);
  const connection = data?.connection;
  useRefetchOnRecovery(connection);
  if (connection === undefined || connection === 'connected') return null;

  const retry = async () => {
    setRetrying(true);
    try {
      await client.refetchQueries({ type: 'active' });
    } finally {
      setRetrying(false);
    }
  };

  const { title, tone } = MESSAGES[connection];
  return (
    <div className={`banner ${tone}`} role="alert">
      <p>
        <strong>{title}</strong> Your tasks will show again once it answers; changes cannot be saved until then.
      </p>
      <button type="button" className="button" onClick={() => void retry()} disabled={retrying || isFetching}>
        {retrying || isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
