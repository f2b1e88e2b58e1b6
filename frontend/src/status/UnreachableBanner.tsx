// The banner shown while the API cannot be reached, with a retry that re-asks every query.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useHealth } from '../api/hooks';

export function UnreachableBanner() {
  const client = useQueryClient();
  const { data, isFetching } = useHealth();
  const [retrying, setRetrying] = useState(false);
  if (data?.connection !== 'unreachable') return null;

  const retry = async () => {
    setRetrying(true);
    try {
      await client.refetchQueries({ type: 'active' });
    } finally {
      setRetrying(false);
    }
  };

  return (
    <div className="banner banner--error" role="alert">
      <p>
        <strong>Cannot reach the TaskFlow server.</strong> Your tasks will show again once it answers; changes cannot be saved
        until then.
      </p>
      <button type="button" className="button" onClick={() => void retry()} disabled={retrying || isFetching}>
        {retrying || isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
