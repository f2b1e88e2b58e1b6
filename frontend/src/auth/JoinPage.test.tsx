import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { currentSession } from '../api/session';
import { makeUser, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { JoinPage } from './JoinPage';

beforeEach(() => {
  server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })));
});

async function fill(user: ReturnType<typeof userEvent.setup>, password = 'a long passphrase nobody guesses') {
  await user.type(screen.getByLabelText('Email'), 'new@example.com');
  await user.type(screen.getByLabelText('Name'), 'Newt');
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('JoinPage', () => {
  it("registers with the link's invitation, signs in, and leaves the invitation out of the address", async () => {
    let registered: unknown;
    server.use(
      http.post(`${API}/auth/register`, async ({ request }) => {
        registered = await request.json();
        return HttpResponse.json(makeUser({ email: 'new@example.com', name: 'Newt' }), { status: 201 });
      }),
      http.post(`${API}/auth/token`, () => HttpResponse.json({ access_token: 'tok-newt', token_type: 'bearer', expires_in: 600 })),
    );
    window.history.replaceState(null, '', '/join?invitation=inv-123');
    const user = userEvent.setup();
    renderWithClient(<JoinPage openSignup={false} />);
    expect(screen.getByLabelText('Email')).toHaveFocus();
    await fill(user);
    await expect.poll(() => window.location.pathname + window.location.search).toBe('/');
    expect(registered).toEqual({ email: 'new@example.com', name: 'Newt', password: 'a long passphrase nobody guesses', invitation: 'inv-123' });
    expect(currentSession().token).toBe('tok-newt');
  });

  it("shows the API's password rule on the password field", async () => {
    server.use(
      http.post(`${API}/auth/register`, () =>
        HttpResponse.json({ detail: [{ loc: ['body', 'password'], msg: 'This password is too common', type: 'value_error' }] }, { status: 422 }),
      ),
    );
    window.history.replaceState(null, '', '/join?invitation=inv-123');
    const user = userEvent.setup();
    renderWithClient(<JoinPage openSignup={false} />);
    await fill(user, 'passwordpassword');
    const password = screen.getByLabelText('Password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    expect(password).toHaveAccessibleDescription(/This password is too common/);
    expect(screen.getByRole('alert')).toHaveTextContent('Some fields need another look.');
    expect(currentSession().token).toBeNull();
  });

  it('a used or revoked invitation is explained', async () => {
    server.use(http.post(`${API}/auth/register`, () => HttpResponse.json({ detail: 'Invalid invitation' }, { status: 403 })));
    window.history.replaceState(null, '', '/join?invitation=spent');
    const user = userEvent.setup();
    renderWithClient(<JoinPage openSignup={false} />);
    await fill(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('This invitation link is no longer valid');
  });

  it('without an invitation where joining needs one, says to ask an admin and offers no form', () => {
    window.history.replaceState(null, '', '/join');
    renderWithClient(<JoinPage openSignup={false} />);
    expect(screen.getByText(/needs an invitation link from an admin/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create account' })).not.toBeInTheDocument();
  });
});
