// Entry point: mounts the app (single-user, or behind sign-in) with its query client and notices.
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createQueryClient } from './api/queryClient';
import { NoticeProvider } from './notices/NoticeProvider';
import { Root } from './Root';
import { ErrorBoundary } from './status/ErrorBoundary';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <QueryClientProvider client={createQueryClient()}>
        <NoticeProvider>
          <Root />
        </NoticeProvider>
      </QueryClientProvider>
    </ErrorBoundary>
  </StrictMode>,
);
