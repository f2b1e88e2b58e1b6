import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { User } from '../api/types';
import { AccessContext, accessOf } from '../auth/access';
import { makeUser, renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { PeoplePage } from './PeoplePage';

function peopleApi(users: User[]) {
  server.use(
    http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })),
    http.get(`${API}/users`, () => HttpResponse.json(users)),
    http.get(`${API}/invitations`, () => HttpResponse.json([])),
  );
}

function renderAs(admin: User) {
  return renderWithClient(
    <AccessContext.Provider value={accessOf(admin)}>
      <PeoplePage />
    </AccessContext.Provider>,
  );
}

describe('PeoplePage', () => {
  it('an invitation gives a /join link on this site to copy, holding the token', async () => {
    const admin = makeUser({ name: 'Ann', role: 'admin' });
    peopleApi([admin]);
    let sent: unknown;
    server.use(
      http.post(`${API}/invitations`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ id: 'inv-1', email: 'vic@example.com', role: 'viewer', token: 'tf inv/1', expires_at: '2030-01-08T10:00:00Z' }, { status: 201 });
      }),
    );
    const user = userEvent.setup();
    renderAs(admin);
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(within(form).getByLabelText('Email'), 'vic@example.com');
    await user.selectOptions(within(form).getByLabelText('Role'), 'viewer');
    await user.click(within(form).getByRole('button', { name: 'Create invitation link' }));
    const link = await screen.findByRole('textbox', { name: 'Invitation link for vic@example.com' });
    expect(sent).toEqual({ email: 'vic@example.com', role: 'viewer' });
    expect(link).toHaveValue(`${window.location.origin}/join?invitation=tf%20inv%2F1`);
    expect(link).toHaveFocus();
  });

  it("changes a role, and shows the API's refusal (the last admin) on that person's row", async () => {
    const admin = makeUser({ name: 'Ann', role: 'admin' });
    const member = makeUser({ name: 'Mia', role: 'member' });
    peopleApi([admin, member]);
    const patches: [string, unknown][] = [];
    server.use(
      http.patch(`${API}/users/:id`, async ({ params, request }) => {
        const body = await request.json();
        patches.push([String(params.id), body]);
        if (params.id === admin.id) return HttpResponse.json({ detail: 'The last active admin cannot be demoted' }, { status: 409 });
        return HttpResponse.json({ ...member, ...(body as object) });
      }),
    );
    const user = userEvent.setup();
    renderAs(admin);
    await user.selectOptions(await screen.findByLabelText('Role of Mia'), 'viewer');
    await user.selectOptions(screen.getByLabelText('Role of Ann'), 'member');
    const annRow = screen.getAllByTestId('person-row').find((row) => row.textContent.includes('Ann'));
    if (!annRow) throw new Error('no row for Ann');
    expect(await within(annRow).findByRole('alert')).toHaveTextContent('The last active admin cannot be demoted');
    expect(patches).toEqual([
      [member.id, { role: 'viewer' }],
      [admin.id, { role: 'member' }],
    ]);
    expect(within(annRow).getByText('(you)')).toBeInTheDocument();
  });

  it('deactivates someone', async () => {
    const admin = makeUser({ name: 'Ann', role: 'admin' });
    const leaver = makeUser({ name: 'Lee' });
    peopleApi([admin, leaver]);
    let sent: unknown;
    server.use(
      http.patch(`${API}/users/:id`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...leaver, active: false });
      }),
    );
    const user = userEvent.setup();
    renderAs(admin);
    await user.click(await screen.findByRole('button', { name: 'Deactivate Lee' }));
    await waitFor(() => {
      expect(sent).toEqual({ active: false });
    });
  });
});
