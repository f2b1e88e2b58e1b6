// API tokens: create one (shown once, to copy), see the ones you have, delete one.
import { useId, useState } from 'react';
import { useApiTokens, useCreateApiToken, useDeleteApiToken } from '../api/accountHooks';
import { ApiError } from '../api/errors';
import type { ApiToken, ApiTokenCreated, TokenScope } from '../api/types';
import { CopyOnce } from '../auth/CopyOnce';
import { fieldErrorsOf } from '../forms/fieldErrors';
import { PageShell } from '../navigation/PageShell';
import { formatDate } from '../tasks/dates';

const SCOPES: { scope: TokenScope; label: string }[] = [
  { scope: 'read', label: 'Read: list and read tasks' },
  { scope: 'write', label: 'Write: read, create, change and delete tasks' },
];

/** The API's bounds on a token's lifetime, in days. */
const TOKEN_DAYS = { min: 1, max: 365, default: 30 } as const;

function CreateTokenForm({ onCreated }: { onCreated: (token: ApiTokenCreated) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('read');
  const [days, setDays] = useState(String(TOKEN_DAYS.default));
  const create = useCreateApiToken();
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};
  const { described, error } = fieldErrorsOf(id, fieldErrors);

  return (
    <form
      className="panel__form"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { name: name.trim(), scope, expires_in_days: Number(days) },
          {
            onSuccess: (created) => {
              setName('');
              onCreated(created);
            },
          },
        );
      }}
    >
      <h3 id={`${id}-heading`}>New token</h3>
      <div className="field-row field-row--wide">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="name"
            required
            maxLength={100}
            placeholder="e.g. Nightly report script"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
            {...described('name')}
          />
          {error('name')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-scope`}>Access</label>
          <select
            id={`${id}-scope`}
            name="scope"
            value={scope}
            onChange={(e) => {
              setScope(e.target.value as TokenScope);
            }}
            {...described('scope')}
          >
            {SCOPES.map((option) => (
              <option key={option.scope} value={option.scope}>
                {option.label}
              </option>
            ))}
          </select>
          {error('scope')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>Expires after (days)</label>
          <input
            id={`${id}-days`}
            name="expires_in_days"
            type="number"
            required
            min={TOKEN_DAYS.min}
            max={TOKEN_DAYS.max}
            value={days}
            onChange={(e) => {
              setDays(e.target.value);
            }}
            {...described('expires_in_days')}
          />
          {error('expires_in_days')}
        </div>
      </div>
      {create.isError && Object.keys(fieldErrors).length === 0 && (
        <p className="form-error" role="alert">
          {create.error.message}
        </p>
      )}
      <div>
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

function TokenRow({ token }: { token: ApiToken }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteApiToken();
  return (
    <tr data-testid="token-row">
      <td>{token.name}</td>
      <td>{token.scope === 'write' ? 'Write' : 'Read'}</td>
      <td>{formatDate(token.created_at)}</td>
      <td>{formatDate(token.expires_at)}</td>
      <td className="table__actions">
        {confirming ? (
          <span className="inline-confirm" role="group" aria-label={`Confirm deleting ${token.name}`}>
            <button
              type="button"
              className="button button--danger button--small"
              disabled={remove.isPending}
              onClick={() => {
                remove.mutate(token.id);
              }}
            >
              Yes, delete
            </button>
            <button
              type="button"
              className="button button--ghost button--small"
              onClick={() => {
                setConfirming(false);
              }}
            >
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="button button--danger-ghost button--small"
            aria-label={`Delete token ${token.name}`}
            onClick={() => {
              setConfirming(true);
            }}
          >
            Delete…
          </button>
        )}
        {remove.isError && (
          <span className="field__error" role="alert">
            {remove.error.message}
          </span>
        )}
      </td>
    </tr>
  );
}

export function TokensPage() {
  const tokens = useApiTokens();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  return (
    <PageShell>
        <section className="panel" aria-labelledby="tokens-heading">
          <h2 id="tokens-heading">API tokens</h2>
          <p className="muted">
            Scripts and other programs use a token instead of your password, sent as <code>Authorization: Bearer …</code>. A
            token acts as you, limited to its access; delete it when it is no longer needed.
          </p>
          {created ? (
            <CopyOnce
              title={`Token “${created.name}” created`}
              label="New API token"
              secret={created.token}
              note="Copy it now: it will not be shown again."
              onDone={() => {
                setCreated(null);
              }}
            />
          ) : (
            <CreateTokenForm onCreated={setCreated} />
          )}
        </section>
        <section className="panel" aria-labelledby="token-list-heading" aria-busy={tokens.isPending}>
          <h2 id="token-list-heading">Your tokens</h2>
          {tokens.isPending && <p className="muted">Loading your tokens…</p>}
          {tokens.isError && (
            <div className="form-error" role="alert">
              <p>Could not load your tokens: {tokens.error.message}</p>
              <button type="button" className="button button--small" onClick={() => void tokens.refetch()}>
                Retry
              </button>
            </div>
          )}
          {tokens.data?.length === 0 && <p className="muted">You have no API tokens.</p>}
          {tokens.data && tokens.data.length > 0 && (
            <div className="panel__scroll">
              <table className="table table--plain">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Access</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.data.map((token) => (
                    <TokenRow key={token.id} token={token} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
    </PageShell>
  );
}
