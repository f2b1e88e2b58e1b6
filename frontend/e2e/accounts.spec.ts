// Accounts against the real backend with sign-in required: signing in and out, a session ended on the
// server, invitations and joining, what each role may do, API tokens, and single-user mode left as it was.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { ADMIN, accounts, createTaskViaApi, expect, sessionTokenOf, signInViaApi, signInWithPage, test } from './fixtures';
import type { Stack } from './stack';

const PASSWORD = 'a long passphrase nobody guesses';

interface Person {
  email: string;
  name: string;
  role: 'admin' | 'member' | 'viewer';
}

async function open(browser: Browser, stack: Stack, url = '/'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: stack.preview.url });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

async function signedInAsAdmin(browser: Browser, stack: Stack, url = '/') {
  const opened = await open(browser, stack, url);
  await signInWithPage(opened.page, ADMIN.email, ADMIN.password);
  return opened;
}

/** Invites `person` from the people page; the link the admin copies. */
async function invite(adminPage: Page, person: Person): Promise<string> {
  await adminPage.getByRole('link', { name: 'People' }).click();
  const form = adminPage.getByRole('form', { name: 'Invite someone' });
  await form.getByLabel('Email').fill(person.email);
  await form.getByLabel('Role').selectOption(person.role);
  await form.getByRole('button', { name: 'Create invitation link' }).click();
  const link = adminPage.getByRole('textbox', { name: `Invitation link for ${person.email}` });
  await expect(link).toBeFocused();
  const url = await link.inputValue();
  expect(url).toMatch(new RegExp(`^${adminPage.url().replace(/\/people.*$/, '')}/join\\?invitation=.+`));
  await adminPage.getByRole('button', { name: 'Done' }).click();
  return url;
}

/** Opens the invitation link in a browser of its own and creates the account; signed in afterwards. */
async function join(browser: Browser, stack: Stack, link: string, person: Person) {
  const opened = await open(browser, stack, link);
  const { page } = opened;
  await expect(page.getByRole('heading', { name: 'Join TaskFlow', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(person.name);
  // The invitation's token does not stay in the address bar.
  expect(new URL(page.url()).search).toBe('');
  return opened;
}

accounts.describe('with accounts', () => {
  accounts('sign in (a wrong password refused), the session survives a reload, sign out ends it on the server', async ({ browser, accountsStack, playwright }) => {
    const { context, page } = await open(browser, accountsStack, '/?view=list');
    try {
      await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
      await expect(page.getByText('Your session ended')).toHaveCount(0);
      await expect(page.getByLabel('Email')).toBeFocused();
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');

      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('signed-in-as')).toContainText('Admin');
      const listView = page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'List' });
      await expect(listView).toHaveAttribute('aria-pressed', 'true');
      expect(new URL(page.url()).search).toBe('?view=list');

      await page.reload();
      await expect(page.getByTestId('signed-in-as')).toContainText('Admin');
      await expect(listView).toHaveAttribute('aria-pressed', 'true');
      const token = await sessionTokenOf(page);
      expect(token).not.toBeNull();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
      await expect(page.getByText('Your session ended')).toHaveCount(0);
      expect(await sessionTokenOf(page)).toBeNull();
      const api = await playwright.request.newContext({ baseURL: accountsStack.backend.url });
      const refused = await api.get('/tasks', { headers: { Authorization: `Bearer ${token ?? ''}` } });
      expect(refused.status()).toBe(401);
      await api.dispose();
    } finally {
      await context.close();
    }
  });

  accounts('a session ended on the server returns to sign-in saying so, then to the same view', async ({ browser, accountsStack, playwright, tag }) => {
    const api = await playwright.request.newContext({ baseURL: accountsStack.backend.url });
    const adminToken = await signInViaApi(api, ADMIN.email, ADMIN.password);
    const asAdmin = await playwright.request.newContext({ baseURL: accountsStack.backend.url, extraHTTPHeaders: { Authorization: `Bearer ${adminToken}` } });
    await createTaskViaApi(asAdmin, { title: `Expiry check ${tag}` });
    await asAdmin.dispose();
    const view = `/?view=list&q=${tag}`;
    const { context, page } = await signedInAsAdmin(browser, accountsStack, view);
    try {
      await expect(page.getByTestId('task-row')).toHaveCount(1);
      const token = await sessionTokenOf(page);
      // The same session ended from elsewhere (as signing out in another browser, a password change or
      // a deactivation do): the page's next request is refused.
      const logout = await api.post('/auth/logout', { headers: { Authorization: `Bearer ${token ?? ''}` } });
      expect(logout.status()).toBe(204);
      await page.getByTestId('task-row').getByRole('button', { name: `Expiry check ${tag}` }).click();

      await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
      await expect(page.getByRole('alert')).toContainText('Your session ended');
      expect(await sessionTokenOf(page)).toBeNull();
      await signInWithPage(page, ADMIN.email, ADMIN.password);
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(view);
      await expect(page.getByTestId('task-row')).toHaveCount(1);
      await expect(page.getByLabel('Search')).toHaveValue(tag);
    } finally {
      await context.close();
      await api.dispose();
    }
  });

  accounts('a session whose time is up is dropped: a reload shows sign-in saying it ended', async ({ browser, accountsStack }) => {
    const { context, page } = await signedInAsAdmin(browser, accountsStack, '/tokens');
    try {
      await page.evaluate(() => {
        const raw = window.localStorage.getItem('taskflow.session') ?? '{}';
        window.localStorage.setItem('taskflow.session', JSON.stringify({ ...(JSON.parse(raw) as object), expiresAt: Date.now() - 1000 }));
      });
      await page.reload();
      await expect(page.getByRole('alert')).toContainText('Your session ended');
      expect(await sessionTokenOf(page)).toBeNull();
      await signInWithPage(page, ADMIN.email, ADMIN.password);
      await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  accounts('invitations: a member and a viewer join by link; roles decide what each may do; a revoked link is refused', async ({ browser, accountsStack, playwright, tag }) => {
    accounts.setTimeout(90_000);
    const member: Person = { email: `member-${tag}@example.com`, name: `Mia ${tag}`, role: 'member' };
    const viewer: Person = { email: `viewer-${tag}@example.com`, name: `Vic ${tag}`, role: 'viewer' };
    const revoked: Person = { email: `revoked-${tag}@example.com`, name: `Rex ${tag}`, role: 'member' };
    const admin = await signedInAsAdmin(browser, accountsStack);
    const opened: BrowserContext[] = [admin.context];
    try {
      const memberLink = await invite(admin.page, member);
      const viewerLink = await invite(admin.page, viewer);
      const revokedLink = await invite(admin.page, revoked);
      const rows = admin.page.getByTestId('invitation-row');
      await expect(rows.filter({ hasText: revoked.email })).toHaveCount(1);
      await admin.page.getByRole('button', { name: `Revoke the invitation for ${revoked.email}` }).click();
      await expect(rows.filter({ hasText: revoked.email })).toHaveCount(0);

      const refused = await open(browser, accountsStack, revokedLink);
      opened.push(refused.context);
      await refused.page.getByLabel('Email').fill(revoked.email);
      await refused.page.getByLabel('Name').fill(revoked.name);
      await refused.page.getByLabel('Password').fill(PASSWORD);
      await refused.page.getByRole('button', { name: 'Create account' }).click();
      await expect(refused.page.getByRole('alert')).toContainText('no longer valid');

      const asMember = await join(browser, accountsStack, memberLink, member);
      opened.push(asMember.context);
      const asViewer = await join(browser, accountsStack, viewerLink, viewer);
      opened.push(asViewer.context);
      // A used invitation is no longer open.
      await admin.page.reload();
      await expect(rows.filter({ hasText: viewer.email })).toHaveCount(0);
      await expect(rows.filter({ hasText: member.email })).toHaveCount(0);

      // The member writes: the assignee field suggests the team's names, the dialog says who created the task.
      const memberPage = asMember.page;
      await expect(memberPage.getByRole('link', { name: 'People' })).toHaveCount(0);
      await memberPage.getByRole('button', { name: 'New task…' }).click();
      const create = memberPage.getByRole('dialog', { name: 'New task' });
      await create.getByLabel('Title').fill(`Plan the offsite ${tag}`);
      const suggestions = create.getByTestId('assignee-suggestions').locator('option');
      await expect
        .poll(() => suggestions.evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)))
        .toEqual(expect.arrayContaining([ADMIN.name, member.name, viewer.name]));
      await create.getByLabel('Assignee').fill(viewer.name);
      await create.getByRole('button', { name: 'Create task' }).click();
      await expect(create).toBeHidden();
      const title = `Plan the offsite ${tag}`;

      // The admin changes it: the dialog names both people.
      await admin.page.getByRole('link', { name: 'Tasks' }).click();
      await admin.page.getByRole('button', { name: title, exact: true }).click();
      const edit = admin.page.getByRole('dialog', { name: 'Edit task' });
      await expect(edit.getByTestId('task-audit')).toHaveText(`Created by ${member.name} · last changed by ${member.name}`);
      await edit.getByLabel('Priority').selectOption('high');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect(edit).toBeHidden();
      await admin.page.getByRole('button', { name: title, exact: true }).click();
      await expect(admin.page.getByRole('dialog', { name: 'Edit task' }).getByTestId('task-audit')).toHaveText(
        `Created by ${member.name} · last changed by ${ADMIN.name}`,
      );
      await admin.page.keyboard.press('Escape');

      // The viewer sees the task but nothing to change it with.
      const viewerPage = asViewer.page;
      await viewerPage.reload();
      await expect(viewerPage.getByTestId('signed-in-as')).toContainText('Viewer');
      const card = viewerPage.getByTestId('task-card').filter({ hasText: title });
      await expect(card).toBeVisible();
      await expect(viewerPage.getByLabel('Quick add a task')).toHaveCount(0);
      await expect(viewerPage.getByRole('button', { name: 'New task…' })).toHaveCount(0);
      await expect(viewerPage.getByRole('button', { name: /^Move “/ })).toHaveCount(0);
      // Dragging a card does nothing: it stays in its column and nothing is sent.
      const writes: string[] = [];
      viewerPage.on('request', (request) => {
        if (request.method() !== 'GET') writes.push(`${request.method()} ${request.url()}`);
      });
      const box = await card.boundingBox();
      const done = await viewerPage.getByTestId('column-done').boundingBox();
      if (!box || !done) throw new Error('the card or the Done column has no box');
      await viewerPage.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await viewerPage.mouse.down();
      await viewerPage.mouse.move(done.x + done.width / 2, done.y + 60, { steps: 8 });
      await viewerPage.mouse.up();
      await expect(viewerPage.getByTestId('column-todo').getByTestId('task-card').filter({ hasText: title })).toBeVisible();
      await expect(viewerPage.getByTestId('column-done')).not.toHaveClass(/is-over/);
      expect(writes).toEqual([]);
      await card.getByRole('button', { name: title, exact: true }).click();
      const view = viewerPage.getByRole('dialog', { name: 'Task' });
      await expect(view.getByLabel('Title')).toBeDisabled();
      await expect(view.getByRole('button', { name: 'Save' })).toHaveCount(0);
      await expect(view.getByRole('button', { name: 'Delete…' })).toHaveCount(0);
      await view.getByRole('button', { name: 'Close', exact: true }).last().click();
      await expect(viewerPage.getByRole('link', { name: 'People' })).toHaveCount(0);
      // The API refuses the viewer's writes whatever the page offers.
      const viewerToken = await sessionTokenOf(viewerPage);
      const api = await playwright.request.newContext({ baseURL: accountsStack.backend.url });
      const write = await api.post('/tasks', { data: { title: 'Sneaky' }, headers: { Authorization: `Bearer ${viewerToken ?? ''}` } });
      expect(write.status()).toBe(403);
      await api.dispose();

      // The admin makes the viewer a member: after a reload, the board offers writing.
      await admin.page.getByRole('link', { name: 'People' }).click();
      const viewerRow = admin.page.getByTestId('person-row').filter({ hasText: viewer.email });
      await viewerRow.getByLabel(`Role of ${viewer.name}`).selectOption('member');
      await expect(viewerRow.getByLabel(`Role of ${viewer.name}`)).toHaveValue('member');
      await viewerPage.reload();
      await expect(viewerPage.getByLabel('Quick add a task')).toBeVisible();
    } finally {
      for (const context of opened) await context.close();
    }
  });

  accounts('deactivating someone on the people page ends their session and keeps them out', async ({ browser, accountsStack, tag }) => {
    const person: Person = { email: `leaver-${tag}@example.com`, name: `Lee ${tag}`, role: 'member' };
    const admin = await signedInAsAdmin(browser, accountsStack);
    const contexts = [admin.context];
    try {
      const link = await invite(admin.page, person);
      const leaver = await join(browser, accountsStack, link, person);
      contexts.push(leaver.context);

      await admin.page.reload();
      const row = admin.page.getByTestId('person-row').filter({ hasText: person.email });
      await row.getByRole('button', { name: `Deactivate ${person.name}` }).click();
      await expect(row).toContainText('Deactivated');
      await expect(row.getByRole('button', { name: `Reactivate ${person.name}` })).toBeVisible();

      await leaver.page.reload();
      await expect(leaver.page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
      await leaver.page.getByLabel('Email').fill(person.email);
      await leaver.page.getByLabel('Password').fill(PASSWORD);
      await leaver.page.getByRole('button', { name: 'Sign in' }).click();
      await expect(leaver.page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' })).toBeVisible();

      // The last admin cannot be demoted: the API's refusal shows on the row.
      const adminRow = admin.page.getByTestId('person-row').filter({ hasText: ADMIN.email });
      await adminRow.getByLabel(`Role of ${ADMIN.name}`).selectOption('member');
      await expect(adminRow.getByRole('alert')).toBeVisible();
      await expect(adminRow.getByLabel(`Role of ${ADMIN.name}`)).toHaveValue('admin');
    } finally {
      for (const context of contexts) await context.close();
    }
  });

  accounts('a new password ends the other sessions and the API tokens, not this one', async ({ browser, accountsStack, playwright, tag }) => {
    const person: Person = { email: `mover-${tag}@example.com`, name: `Max ${tag}`, role: 'member' };
    const admin = await signedInAsAdmin(browser, accountsStack, '/people');
    const contexts = [admin.context];
    const api = await playwright.request.newContext({ baseURL: accountsStack.backend.url });
    try {
      const here = await join(browser, accountsStack, await invite(admin.page, person), person);
      contexts.push(here.context);
      const elsewhere = await open(browser, accountsStack, '/?view=list');
      contexts.push(elsewhere.context);
      await signInWithPage(elsewhere.page, person.email, PASSWORD);
      const session = await sessionTokenOf(here.page);
      const created = await api.post('/users/me/tokens', {
        data: { name: 'script', scope: 'read', expires_in_days: 1 },
        headers: { Authorization: `Bearer ${session ?? ''}` },
      });
      expect(created.status()).toBe(201);
      const apiToken = ((await created.json()) as { token: string }).token;

      await here.page.getByRole('link', { name: 'Account' }).click();
      await here.page.getByLabel('Current password').fill(PASSWORD);
      await here.page.getByLabel('New password').fill('another long passphrase for me');
      await here.page.getByRole('button', { name: 'Change password' }).click();
      await expect(here.page.getByText('Password changed. Your other sessions and your API tokens have ended.')).toBeVisible();

      expect((await api.get('/tasks', { headers: { Authorization: `Bearer ${apiToken}` } })).status()).toBe(401);
      await elsewhere.page.reload();
      await expect(elsewhere.page.getByRole('alert')).toContainText('Your session ended');
      await signInWithPage(elsewhere.page, person.email, 'another long passphrase for me');
      expect(new URL(elsewhere.page.url()).search).toBe('?view=list');
      await here.page.reload();
      await expect(here.page.getByTestId('signed-in-as')).toContainText(person.name);
    } finally {
      for (const context of contexts) await context.close();
      await api.dispose();
    }
  });

  accounts('API tokens: created, shown once, work for a script, and stop working once deleted', async ({ browser, accountsStack, playwright, tag }) => {
    const { context, page } = await signedInAsAdmin(browser, accountsStack);
    const api = await playwright.request.newContext({ baseURL: accountsStack.backend.url });
    try {
      await page.getByRole('link', { name: 'API tokens' }).click();
      await expect(page).toHaveURL(/\/tokens$/);
      const name = `Report script ${tag}`;
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Access').selectOption('read');
      await page.getByLabel('Expires after (days)').fill('7');
      await page.getByRole('button', { name: 'Create token' }).click();
      const secret = page.getByRole('textbox', { name: 'New API token' });
      await expect(secret).toBeFocused();
      await expect(page.getByText('Copy it now: it will not be shown again.')).toBeVisible();
      const token = await secret.inputValue();
      expect(token.length).toBeGreaterThan(20);

      const read = await api.get('/tasks', { headers: { Authorization: `Bearer ${token}` } });
      expect(read.status()).toBe(200);
      const write = await api.post('/tasks', { data: { title: 'Read-only token write' }, headers: { Authorization: `Bearer ${token}` } });
      expect(write.status()).toBe(403);

      await page.getByRole('button', { name: 'Done' }).click();
      const row = page.getByTestId('token-row').filter({ hasText: name });
      await expect(row).toContainText('Read');
      await page.reload();
      await expect(row).toBeVisible();
      expect(await page.content()).not.toContain(token);

      await row.getByRole('button', { name: `Delete token ${name}` }).click();
      await row.getByRole('button', { name: 'Yes, delete' }).click();
      await expect(row).toHaveCount(0);
      const after = await api.get('/tasks', { headers: { Authorization: `Bearer ${token}` } });
      expect(after.status()).toBe(401);
    } finally {
      await context.close();
      await api.dispose();
    }
  });
});

test('single-user mode: no sign-in, no accounts pages, the API serves no accounts routes', async ({ page, api }) => {
  await page.goto('/people');
  await expect(page.getByRole('heading', { name: 'TaskFlow', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Quick add a task')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'API tokens' })).toHaveCount(0);
  expect((await api.post('/auth/token', { form: { username: ADMIN.email, password: ADMIN.password } })).status()).toBe(404);
  expect((await api.get('/users/me')).status()).toBe(404);
});
