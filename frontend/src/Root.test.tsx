import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { currentSession, startSession } from './api/session';
import type { Task, User } from './api/types';
import { Root } from './Root';
import { EMPTY_STATS, makeTask, makeUser, renderWithClient } from './test/fixtures';
import { API, server } from './test/server';

const WELCOME = { message: 'Welcome to TaskFlow API', version: '3.0.0', docs: '/docs', health: '/health' };

/** The API in accounts mode with `me` signed in (any bearer token), holding `tasks`; `seen` collects each request's Authorization. */
function accountsApi({ me, tasks = [], seen = [] }: { me: User; tasks?: Task[]; seen?: (string | null)[] }) {
  server.use(
    http.get(`${API}/`, () => HttpResponse.json({ ...WELCOME, auth: 'required', signup: 'invite' })),
    http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })),
    http.get(`${API}/users/me`, ({ request }) => {
      seen.push(request.headers.get('Authorization'));
      return HttpResponse.json(me);
    }),
    http.get(`${API}/users`, () => HttpResponse.json([me])),
    http.get(`${API}/tasks/stats`, () => HttpResponse.json({ ...EMPTY_STATS, total: tasks.length, by_status: { todo: tasks.length, in_progress: 0, done: 0 } })),
    http.get(`${API}/tasks`, ({ request }) => {
      const status = new URL(request.url).searchParams.getAll('status');
      const matching = tasks.filter((t) => status.length === 0 || status.includes(t.status));
      return HttpResponse.json(matching, { headers: { 'X-Total-Count': String(matching.length) } });
    }),
  );
}

describe('Root', () => {
  it('single-user mode (no `auth` in GET /): the tasks, no sign-in, no account controls', async () => {
    server.use(
      http.get(`${API}/`, () => HttpResponse.json({ ...WELCOME, auth: null, signup: null })),
      http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })),
      http.get(`${API}/tasks/stats`, () => HttpResponse.json({ ...EMPTY_STATS, total: 1, by_status: { todo: 1, in_progress: 0, done: 0 } })),
      http.get(`${API}/tasks`, () => HttpResponse.json([makeTask({ title: 'Solo task' })], { headers: { 'X-Total-Count': '1' } })),
    );
    window.history.replaceState(null, '', '/people');
    renderWithClient(<Root />);
    expect(await screen.findAllByRole('button', { name: 'Solo task' })).not.toHaveLength(0);
    expect(screen.getByLabelText('Quick add a task')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Pages' })).not.toBeInTheDocument();
  });

  it('accounts mode: sign in, then the page behind it, each request carrying the token', async () => {
    const me = makeUser({ name: 'Ann', role: 'admin' });
    const seen: (string | null)[] = [];
    accountsApi({ me, seen });
    server.use(http.post(`${API}/auth/token`, () => HttpResponse.json({ access_token: 'tok-ann', token_type: 'bearer', expires_in: 3600 })));
    window.history.replaceState(null, '', '/?view=list');
    const user = userEvent.setup();
    renderWithClient(<Root />);
    expect(await screen.findByRole('heading', { name: 'Sign in', level: 1 })).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveFocus();
    expect(screen.queryByText(/Your session ended/)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent('Ann (Admin)');
    expect(screen.getByRole('link', { name: 'People' })).toBeInTheDocument();
    expect(seen).toEqual(['Bearer tok-ann']);
    expect(window.location.search).toBe('?view=list');
  });

  it('a wrong password is said on the form, announced', async () => {
    accountsApi({ me: makeUser() });
    server.use(http.post(`${API}/auth/token`, () => HttpResponse.json({ detail: 'Incorrect email or password' }, { status: 401 })));
    const user = userEvent.setup();
    renderWithClient(<Root />);
    await user.type(await screen.findByLabelText('Email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Password'), 'nope nope nope nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password.');
    expect(currentSession().token).toBeNull();
  });

  it('a 401 while signed in returns to sign-in saying the session ended, on the same URL', async () => {
    const me = makeUser({ name: 'Ann' });
    accountsApi({ me });
    server.use(http.get(`${API}/tasks/stats`, () => HttpResponse.json({ detail: 'Session ended' }, { status: 401 })));
    startSession('tok-old', 3600);
    window.history.replaceState(null, '', '/?view=list&q=report');
    renderWithClient(<Root />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Your session ended. Sign in again to continue where you were.');
    expect(screen.getByRole('heading', { name: 'Sign in', level: 1 })).toBeInTheDocument();
    expect(window.location.pathname + window.location.search).toBe('/?view=list&q=report');
    expect(window.localStorage.getItem('taskflow.session')).toBeNull();
  });

  it('signing out ends the session on the server and here, without "session ended"', async () => {
    const me = makeUser({ name: 'Ann' });
    accountsApi({ me });
    let loggedOut: string | null = null;
    server.use(
      http.post(`${API}/auth/logout`, ({ request }) => {
        loggedOut = request.headers.get('Authorization');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    startSession('tok-ann', 3600);
    const user = userEvent.setup();
    renderWithClient(<Root />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in', level: 1 })).toBeInTheDocument();
    expect(loggedOut).toBe('Bearer tok-ann');
    expect(screen.queryByText(/Your session ended/)).not.toBeInTheDocument();
  });

  it('a viewer gets no write controls: no quick add, no new task, no move handles, a read-only task dialog', async () => {
    const me = makeUser({ name: 'Vic', role: 'viewer' });
    const task = makeTask({ title: 'Look only', created_by: me.id, updated_by: null });
    accountsApi({ me, tasks: [task] });
    server.use(http.get(`${API}/tasks/${task.id}`, () => HttpResponse.json(task)));
    startSession('tok-vic', 3600);
    const user = userEvent.setup();
    renderWithClient(<Root />);
    await user.click(await screen.findByRole('button', { name: 'Look only' }));
    expect(screen.queryByLabelText('Quick add a task')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New task…' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Move “/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'People' })).not.toBeInTheDocument();

    const dialog = await screen.findByRole('dialog', { name: 'Task' });
    expect(await within(dialog).findByLabelText('Title')).toBeDisabled();
    expect(within(dialog).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Delete…' })).not.toBeInTheDocument();
    await waitFor(() => {
      expect(within(dialog).getByTestId('task-audit')).toHaveTextContent('Created by Vic · last changed by no one known');
    });
  });

  it('a member can write, and /people tells them only admins manage the team', async () => {
    const me = makeUser({ name: 'Mia', role: 'member' });
    accountsApi({ me });
    startSession('tok-mia', 3600);
    window.history.replaceState(null, '', '/people');
    renderWithClient(<Root />);
    expect(await screen.findByText('Only admins manage the team.')).toBeInTheDocument();
    window.history.replaceState(null, '', '/');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(await screen.findByLabelText('Quick add a task')).toBeInTheDocument();
  });

  it('where signup is open, the sign-in page offers to create an account', async () => {
    accountsApi({ me: makeUser() });
    server.use(http.get(`${API}/`, () => HttpResponse.json({ ...WELCOME, auth: 'required', signup: 'open' })));
    renderWithClient(<Root />);
    expect(await screen.findByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/join');
  });

  it('the API away at start-up with a session held: the banner, and the account loads once the API is back', async () => {
    const me = makeUser({ name: 'Ann' });
    server.use(
      http.get(`${API}/`, () => HttpResponse.error()),
      http.get(`${API}/health`, () => HttpResponse.error()),
      http.get(`${API}/users/me`, () => HttpResponse.error()),
    );
    startSession('tok-ann', 3600);
    const user = userEvent.setup();
    renderWithClient(<Root />);
    expect(await screen.findByText(/Could not load your account/)).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the TaskFlow server');

    accountsApi({ me });
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent('Ann');
  });

  it('the API away at start-up: a page without a session shows the tasks page and its banner', async () => {
    server.use(
      http.get(`${API}/`, () => HttpResponse.error()),
      http.get(`${API}/health`, () => HttpResponse.error()),
      http.get(`${API}/tasks`, () => HttpResponse.error()),
      http.get(`${API}/tasks/stats`, () => HttpResponse.error()),
    );
    renderWithClient(<Root />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the TaskFlow server');
    expect(screen.getByLabelText('Quick add a task')).toBeInTheDocument();
  });
});
