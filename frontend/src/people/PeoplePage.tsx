// The team, for admins: roles, deactivating someone, invitations with a link to copy, revoking one.
import { useId, useState } from 'react';
import { useCreateInvitation, useInvitations, useRevokeInvitation, useUpdateUser, useUsers } from '../api/accountHooks';
import { ApiError } from '../api/errors';
import { ROLES, type Invitation, type InvitationCreated, type Role, type User } from '../api/types';
import { useAccess } from '../auth/access';
import { CopyOnce } from '../auth/CopyOnce';
import { PageShell } from '../navigation/PageShell';
import { formatDate } from '../tasks/dates';
import { joinLink } from './joinLink';
import { ROLE_HINTS, ROLE_LABELS } from './roles';

function InviteForm({ onCreated }: { onCreated: (invitation: InvitationCreated) => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const invite = useCreateInvitation();
  const emailError = invite.error instanceof ApiError ? invite.error.fieldErrors.email : undefined;
  return (
    <form
      className="panel__form"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        invite.mutate(
          { email: email.trim(), role },
          {
            onSuccess: (created) => {
              setEmail('');
              onCreated(created);
            },
          },
        );
      }}
    >
      <h3 id={`${id}-heading`}>Invite someone</h3>
      <div className="field-row field-row--wide">
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            required
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
            aria-invalid={emailError !== undefined}
            aria-describedby={emailError !== undefined ? `${id}-email-error` : undefined}
          />
          {emailError !== undefined && (
            <p id={`${id}-email-error`} className="field__error">
              {emailError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select
            id={`${id}-role`}
            name="role"
            value={role}
            onChange={(e) => {
              setRole(e.target.value as Role);
            }}
          >
            {ROLES.map((each) => (
              <option key={each} value={each}>
                {ROLE_LABELS[each]}: {ROLE_HINTS[each]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {invite.isError && emailError === undefined && (
        <p className="form-error" role="alert">
          {invite.error.message}
        </p>
      )}
      <div>
        <button type="submit" className="button button--primary" disabled={invite.isPending}>
          {invite.isPending ? 'Inviting…' : 'Create invitation link'}
        </button>
      </div>
    </form>
  );
}

function InvitationRow({ invitation }: { invitation: Invitation }) {
  const revoke = useRevokeInvitation();
  return (
    <tr data-testid="invitation-row">
      <td>{invitation.email}</td>
      <td>{ROLE_LABELS[invitation.role]}</td>
      <td>{formatDate(invitation.expires_at)}</td>
      <td className="table__actions">
        <button
          type="button"
          className="button button--danger-ghost button--small"
          aria-label={`Revoke the invitation for ${invitation.email}`}
          disabled={revoke.isPending}
          onClick={() => {
            revoke.mutate(invitation.id);
          }}
        >
          Revoke
        </button>
        {revoke.isError && (
          <span className="field__error" role="alert">
            {revoke.error.message}
          </span>
        )}
      </td>
    </tr>
  );
}

function PersonRow({ user }: { user: User }) {
  const { me } = useAccess();
  const update = useUpdateUser();
  const id = useId();
  const you = me?.id === user.id;
  return (
    <tr data-testid="person-row" className={user.active ? undefined : 'row--inactive'}>
      <td>
        {user.name}
        {you && <span className="muted"> (you)</span>}
      </td>
      <td>{user.email}</td>
      <td>
        <label htmlFor={`${id}-role`} className="visually-hidden">
          Role of {user.name}
        </label>
        <select
          id={`${id}-role`}
          className="table__select"
          value={user.role}
          disabled={update.isPending}
          onChange={(e) => {
            update.mutate({ user, changes: { role: e.target.value as Role } });
          }}
        >
          {ROLES.map((each) => (
            <option key={each} value={each}>
              {ROLE_LABELS[each]}
            </option>
          ))}
        </select>
      </td>
      <td>{user.active ? 'Active' : 'Deactivated'}</td>
      <td className="table__actions">
        <button
          type="button"
          className={`button button--small ${user.active ? 'button--danger-ghost' : 'button--ghost'}`}
          disabled={update.isPending}
          aria-label={`${user.active ? 'Deactivate' : 'Reactivate'} ${user.name}`}
          onClick={() => {
            update.mutate({ user, changes: { active: !user.active } });
          }}
        >
          {user.active ? 'Deactivate' : 'Reactivate'}
        </button>
        {update.isError && (
          <span className="field__error" role="alert">
            {update.error.message}
          </span>
        )}
      </td>
    </tr>
  );
}

export function PeoplePage() {
  const users = useUsers();
  const invitations = useInvitations();
  const [created, setCreated] = useState<InvitationCreated | null>(null);
  return (
    <PageShell>
        <section className="panel" aria-labelledby="people-heading" aria-busy={users.isPending}>
          <h2 id="people-heading">People</h2>
          {users.isPending && <p className="muted">Loading the team…</p>}
          {users.isError && (
            <div className="form-error" role="alert">
              <p>Could not load the team: {users.error.message}</p>
              <button type="button" className="button button--small" onClick={() => void users.refetch()}>
                Retry
              </button>
            </div>
          )}
          {users.data && (
            <div className="panel__scroll">
              <table className="table table--plain">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {users.data.map((user) => (
                    <PersonRow key={user.id} user={user} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="panel" aria-labelledby="invitations-heading" aria-busy={invitations.isPending}>
          <h2 id="invitations-heading">Invitations</h2>
          {created ? (
            <CopyOnce
              title={`Invitation for ${created.email}`}
              label={`Invitation link for ${created.email}`}
              secret={joinLink(created.token)}
              note={`Send this link to ${created.email}; it works once, until ${formatDate(created.expires_at)}. Copy it now: it will not be shown again.`}
              onDone={() => {
                setCreated(null);
              }}
            />
          ) : (
            <InviteForm onCreated={setCreated} />
          )}
          <h3>Open invitations</h3>
          {invitations.isPending && <p className="muted">Loading invitations…</p>}
          {invitations.isError && (
            <div className="form-error" role="alert">
              <p>Could not load the invitations: {invitations.error.message}</p>
              <button type="button" className="button button--small" onClick={() => void invitations.refetch()}>
                Retry
              </button>
            </div>
          )}
          {invitations.data?.length === 0 && <p className="muted">No open invitations.</p>}
          {invitations.data && invitations.data.length > 0 && (
            <div className="panel__scroll">
              <table className="table table--plain">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.data.map((invitation) => (
                    <InvitationRow key={invitation.id} invitation={invitation} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
    </PageShell>
  );
}
