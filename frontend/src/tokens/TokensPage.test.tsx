import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../api/types';
import { renderWithClient } from '../test/fixtures';
import { API, server } from '../test/server';
import { TokensPage } from './TokensPage';

function tokensApi(tokens: ApiToken[]) {
  const deleted: string[] = [];
  server.use(
    http.get(`${API}/health`, () => HttpResponse.json({ status: 'healthy', database: 'connected' })),
    http.get(`${API}/users/me/tokens`, () => HttpResponse.json(tokens.filter((t) => !deleted.includes(t.id)))),
    http.delete(`${API}/users/me/tokens/:id`, ({ params }) => {
      deleted.push(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return deleted;
}

const existing: ApiToken = { id: 'tok-1', name: 'Backup script', scope: 'read', created_at: '2030-01-01T10:00:00Z', expires_at: '2030-02-01T10:00:00Z' };

describe('TokensPage', () => {
  it('shows a new token once, focused, with a copy button, and never again after Done', async () => {
    tokensApi([]);
    let sent: unknown;
    server.use(
      http.post(`${API}/users/me/tokens`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(
          { id: 'tok-2', name: 'CI', scope: 'write', token: 'tf_secret_value', created_at: '2030-01-01T10:00:00Z', expires_at: '2030-01-08T10:00:00Z' },
          { status: 201 },
        );
      }),
    );
    const user = userEvent.setup();
    renderWithClient(<TokensPage />);
    expect(await screen.findByText('You have no API tokens.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Name'), 'CI');
    await user.selectOptions(screen.getByLabelText('Access'), 'write');
    await user.clear(screen.getByLabelText('Expires after (days)'));
    await user.type(screen.getByLabelText('Expires after (days)'), '7');
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    const secret = await screen.findByRole('textbox', { name: 'New API token' });
    expect(sent).toEqual({ name: 'CI', scope: 'write', expires_in_days: 7 });
    expect(secret).toHaveValue('tf_secret_value');
    expect(secret).toHaveFocus();
    expect(secret).toHaveAccessibleDescription('Copy it now: it will not be shown again.');
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText(/^(Copied to the clipboard\.|Could not copy by itself)/)).toHaveAttribute('role', 'status');

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('tf_secret_value')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create token' })).toBeInTheDocument();
  });

  it('deletes a token after a confirmation', async () => {
    const deleted = tokensApi([existing]);
    const user = userEvent.setup();
    renderWithClient(<TokensPage />);
    const row = (await screen.findAllByTestId('token-row'))[0];
    if (!row) throw new Error('no token row');
    expect(row).toHaveTextContent('Backup script');
    await user.click(within(row).getByRole('button', { name: 'Delete token Backup script' }));
    expect(deleted).toEqual([]);
    await user.click(within(row).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => {
      expect(screen.queryByTestId('token-row')).not.toBeInTheDocument();
    });
    expect(deleted).toEqual(['tok-1']);
  });
});
