import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { queryKeys } from './api/queryKeys';
import { EMPTY_STATS, makeTask, renderWithClient } from './test/fixtures';
import { API, server } from './test/server';
import type { Task } from './api/types';

function backend(tasks: Task[], health: 'healthy' | 'degraded' = 'healthy') {
  server.use(
    http.get(`${API}/health`, () =>
      HttpResponse.json({ status: health, database: health === 'healthy' ? 'connected' : 'error' }, { status: health === 'healthy' ? 200 : 503 }),
    ),
    http.get(`${API}/tasks/stats`, () =>
      HttpResponse.json({
        ...EMPTY_STATS,
        total: tasks.length,
        by_status: {
          todo: tasks.filter((t) => t.status === 'todo').length,
          in_progress: tasks.filter((t) => t.status === 'in_progress').length,
          done: tasks.filter((t) => t.status === 'done').length,
        },
      }),
    ),
    http.get(`${API}/tasks`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      const statuses = params.getAll('status');
      const q = params.get('q')?.toLowerCase();
      const matching = tasks.filter((t) => (statuses.length === 0 || statuses.includes(t.status)) && (!q || t.title.toLowerCase().includes(q)));
      return HttpResponse.json(matching, { headers: { 'X-Total-Count': String(matching.length) } });
    }),
  );
}

describe('App', () => {
  it('shows the board with each task in its column, the stats and a connected backend', async () => {
    backend([makeTask({ title: 'Write tests', status: 'todo' }), makeTask({ title: 'Review PR', status: 'in_progress' })]);
    renderWithClient(<App />);
    const todo = await screen.findByRole('region', { name: /To do/ });
    expect(await within(todo).findByRole('button', { name: 'Write tests' })).toBeInTheDocument();
    const inProgress = screen.getByRole('region', { name: /In progress/ });
    expect(await within(inProgress).findByRole('button', { name: 'Review PR' })).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByTestId('stat-total')).toHaveTextContent('2');
    });
    await waitFor(() => {
      expect(screen.getByTestId('health')).toHaveTextContent('Connected');
    });
  });

  it('an empty database offers to create the first task', async () => {
    backend([]);
    const user = userEvent.setup();
    renderWithClient(<App />);
    await user.click(await screen.findByRole('button', { name: 'Create your first task' }));
    expect(screen.getByRole('dialog', { name: 'New task' })).toBeInTheDocument();
  });

  it('says "degraded" when /health answers 503', async () => {
    backend([makeTask()], 'degraded');
    renderWithClient(<App />);
    await waitFor(() => {
      expect(screen.getByTestId('health')).toHaveTextContent('Degraded');
    });
    expect(screen.getByRole('alert')).toHaveTextContent('The TaskFlow server cannot reach its database.');
  });

  it('after a database outage, the tasks show again once /health answers, without a Retry', async () => {
    const unavailable = () => HttpResponse.json({ detail: 'Database unavailable' }, { status: 503, headers: { 'Retry-After': '5' } });
    server.use(
      http.get(`${API}/health`, () => HttpResponse.json({ status: 'degraded', database: 'error' }, { status: 503 })),
      http.get(`${API}/tasks`, unavailable),
      http.get(`${API}/tasks/stats`, unavailable),
    );
    const { client } = renderWithClient(<App />);
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('cannot reach its database');
    expect(await screen.findAllByText('Could not load these tasks.')).toHaveLength(3);

    backend([makeTask({ title: 'Back after the outage' })]);
    // What the health poll does on its next tick.
    await client.refetchQueries({ queryKey: queryKeys.health });
    expect(await screen.findByRole('button', { name: 'Back after the outage' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText('Could not load these tasks.')).not.toBeInTheDocument();
  });

  it('when the API cannot be reached: a banner with Retry, and the rest of the page still there', async () => {
    server.use(
      http.get(`${API}/health`, () => HttpResponse.error()),
      http.get(`${API}/tasks`, () => HttpResponse.error()),
      http.get(`${API}/tasks/stats`, () => HttpResponse.error()),
    );
    const user = userEvent.setup();
    renderWithClient(<App />);
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Cannot reach the TaskFlow server');
    expect(screen.getByRole('heading', { name: /TaskFlow/, level: 1 })).toBeInTheDocument();
    expect(screen.getByLabelText('Quick add a task')).toBeInTheDocument();

    backend([makeTask({ title: 'Back again' })]);
    await user.click(within(banner).getByRole('button', { name: /Retry/ }));
    expect(await screen.findByRole('button', { name: 'Back again' })).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByText('Cannot reach the TaskFlow server')).not.toBeInTheDocument();
    });
  });

  it('restores filters from the URL, and writes the debounced search back to it', async () => {
    window.history.replaceState(null, '', '/?view=list&priority=high');
    backend([makeTask({ title: 'Alpha report' }), makeTask({ title: 'Beta' })]);
    const user = userEvent.setup();
    renderWithClient(<App />);
    expect(await screen.findByRole('heading', { name: 'Tasks' })).toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'Priority' })).getByLabelText('High')).toBeChecked();

    await user.type(screen.getByLabelText('Search'), 'report');
    // Nothing is sent per keystroke: the URL only changes once typing settles.
    expect(new URL(window.location.href).searchParams.get('q')).toBeNull();
    await waitFor(() => {
      expect(new URL(window.location.href).searchParams.get('q')).toBe('report');
    });
    expect(new URL(window.location.href).searchParams.getAll('priority')).toEqual(['high']);
  });
});
