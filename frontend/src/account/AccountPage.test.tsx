import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../api/types';
import { AccessContext, accessOf } from '../auth/access';
import { makeUser, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { AccountPage } from './AccountPage';

function renderAs(me: User) {
  return renderWithClient(
    <AccessContext.Provider value={accessOf(me)}>
      <AccountPage />
    </AccessContext.Provider>,
  );
}

beforeEach(() => {
  server.use(http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })));
});

describe('AccountPage', () => {
  it('changes the password, saying the other sessions and the API tokens ended', async () => {
    let sent: unknown;
    server.use(
      http.put(`${API}/users/me/password`, async ({ request }) => {
        sent = await request.json();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderAs(makeUser({ name: 'Ann' }));
    await user.type(screen.getByLabelText('Current password'), 'the old passphrase here');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed. Your other sessions and your API tokens have ended.')).toHaveAttribute('role', 'status');
    expect(sent).toEqual({ current_password: 'the old passphrase here', new_password: 'a brand new passphrase' });
    expect(screen.getByLabelText('New password')).toHaveValue('');
  });

  it('a wrong current password is said, and a refused new one is marked on its field', async () => {
    const answers = [
      HttpResponse.json({ detail: 'Current password is wrong' }, { status: 403 }),
      HttpResponse.json({ detail: [{ loc: ['body', 'new_password'], msg: 'This password is too common', type: 'value_error' }] }, { status: 422 }),
    ];
    server.use(http.put(`${API}/users/me/password`, () => answers.shift()));
    const user = userEvent.setup();
    renderAs(makeUser());
    await user.type(screen.getByLabelText('Current password'), 'not my password at all');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your current password is not right.');

    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The new password needs another look.');
    expect(screen.getByLabelText('New password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/This password is too common/);
  });

  it('saves a new name', async () => {
    const me = makeUser({ name: 'Ann' });
    let sent: unknown;
    server.use(
      http.patch(`${API}/users/me`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...me, name: 'Annie' });
      }),
      http.get(`${API}/users`, () => HttpResponse.json([{ ...me, name: 'Annie' }])),
    );
    const user = userEvent.setup();
    renderAs(me);
    const name = screen.getByLabelText('Your name');
    expect(name).toHaveValue('Ann');
    await user.clear(name);
    await user.type(name, ' Annie ');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(await screen.findByText('Name saved.')).toBeInTheDocument();
    expect(sent).toEqual({ name: 'Annie' });
  });
});
