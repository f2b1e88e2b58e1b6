// The app's QueryClient: retries only when the server could not be reached, and re-checks /health then.
import { QueryCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import { UnreachableError } from './errors';
import { queryKeys } from './queryKeys';

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        // A failed read is the quickest sign the API went away: let the status indicator know now.
        if (error instanceof UnreachableError) void client.invalidateQueries({ queryKey: queryKeys.health });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        retry: (failureCount, error) => error instanceof UnreachableError && failureCount < 1,
        retryDelay: 500,
      },
      mutations: { retry: false },
    },
  });
  return client;
}

/**
 * Ask for `queryKey` again after a write. A fetch still in flight began before the write and may not show it,
 * and invalidation alone joins such a fetch instead of starting over when the query has no data yet (a first
 * load: TanStack Query cancels a running fetch only when it has data to fall back on). So it is cancelled first.
 */
export async function refetchAfterWrite(client: QueryClient, queryKey: QueryKey): Promise<void> {
  await client.cancelQueries({ queryKey });
  await client.invalidateQueries({ queryKey });
}
