// Test data and rendering helpers shared by the unit tests.
import { QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createQueryClient } from '../api/queryClient';
import type { Task, User } from '../api/types';
import { NoticeProvider } from '../notices/NoticeProvider';

let counter = 0;

export function makeTask(overrides: Partial<Task> = {}): Task {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    title: `Task ${String(counter)}`,
    description: null,
    status: 'todo',
    priority: 'medium',
    assignee: null,
    due_date: null,
    due_all_day: false,
    created_at: '2030-01-01T10:00:00Z',
    updated_at: '2030-01-01T10:00:00Z',
    version: 1,
    created_by: null,
    updated_by: null,
    ...overrides,
  };
}

export function makeUser(overrides: Partial<User> = {}): User {
  counter += 1;
  return {
    id: `10000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    email: `person${String(counter)}@example.com`,
    name: `Person ${String(counter)}`,
    role: 'member',
    active: true,
    created_at: '2030-01-01T10:00:00Z',
    ...overrides,
  };
}

export const EMPTY_STATS = {
  total: 0,
  by_status: { todo: 0, in_progress: 0, done: 0 },
  by_priority: { low: 0, medium: 0, high: 0 },
  overdue: 0,
};

export function renderWithClient(ui: ReactElement): RenderResult & { client: ReturnType<typeof createQueryClient> } {
  const client = createQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <NoticeProvider>{ui}</NoticeProvider>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
