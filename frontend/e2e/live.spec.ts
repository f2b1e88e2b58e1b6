// The live board across two app instances on one PostgreSQL: two people, each signed in on their own
// instance (backend + `vite preview`), see each other's changes without a reload.
import type { APIRequest, APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { ACCOUNTS_ENV, ADMIN, card, column, createTaskViaApi, expect, getTaskViaApi, pickUpWithKeyboard, signInViaApi, signInWithPage, test, type ApiTask } from './fixtures';
import { startBackend, startPostgres, startPreview, type Backend, type Postgres, type Preview } from './stack';

const MEMBER = { email: 'member@example.com', name: 'Mira Member', password: 'a long passphrase nobody guesses' };

/** One app instance: its own backend on the shared database, and its own preview forwarding to it. */
interface Instance {
  backend: Backend;
  preview: Preview;
  port: number;
}

interface Person {
  context: BrowserContext;
  page: Page;
  /** The API of this person's instance, with their session's bearer token. */
  api: APIRequestContext;
}

let postgres: Postgres | null = null;
const instances: Instance[] = [];
const people: Person[] = [];
const env: Record<string, string> = {};

function required(name: 'REQUIRE_POSTGRES' | 'REQUIRE_BROWSER'): boolean {
  return process.env[name] === '1';
}

async function startInstance(databaseUrl: string, port?: number): Promise<Instance> {
  const backend = await startBackend(databaseUrl, port, env);
  const preview = await startPreview(backend.url);
  return { backend, preview, port: Number(new URL(backend.url).port) };
}

async function signedIn(browser: Browser, instance: Instance, email: string, password: string, request: APIRequest): Promise<Person> {
  const context = await browser.newContext({ baseURL: instance.preview.url });
  const page = await context.newPage();
  await page.goto('/');
  await signInWithPage(page, email, password);
  const anonymous = await request.newContext({ baseURL: instance.backend.url });
  const token = await signInViaApi(anonymous, email, password);
  await anonymous.dispose();
  const api = await request.newContext({ baseURL: instance.backend.url, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  return { context, page, api };
}

test('single-user mode: the stream is open too, and a change made elsewhere shows without a reload', async ({ page, api, tag }) => {
  await page.goto('/');
  await expect(page.getByTestId('live')).toHaveText(/Live$/);
  const task = await createTaskViaApi(api, { title: `Elsewhere ${tag}` });
  await expect(column(page, 'todo').getByRole('button', { name: task.title, exact: true })).toBeVisible({ timeout: 5_000 });
  const moved = await api.patch(`/tasks/${task.id}`, { data: { status: 'done' }, headers: { 'If-Match': `"${String(task.version)}"` } });
  expect(moved.status()).toBe(200);
  await expect(column(page, 'done').getByRole('button', { name: task.title, exact: true })).toBeVisible({ timeout: 5_000 });
  await expect(card(page, task.title)).toHaveCount(1);
});

test("a move right after someone else's edit goes through: the stream brought the new version (board.spec's 412 is the stream down)", async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Fresh move ${tag}` });
  await page.goto('/');
  await expect(page.getByTestId('live')).toHaveText(/Live$/);
  await expect(card(page, task.title)).toBeVisible();
  expect((await api.patch(`/tasks/${task.id}`, { data: { priority: 'high' } })).status()).toBe(200);
  await expect(card(page, task.title)).toContainText('High', { timeout: 5_000 });

  await pickUpWithKeyboard(page, task);
  await page.keyboard.press('ArrowRight');
  await expect(column(page, 'in_progress')).toHaveClass(/is-over/);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await getTaskViaApi(api, task.id)).status).toBe('in_progress');
  await expect(page.getByText(/was changed by someone else/)).toHaveCount(0);
});

test.describe('live board: two people on two instances of the app, one PostgreSQL', () => {
  test.describe.configure({ mode: 'serial' });
  test.beforeAll(async ({ browser, playwright }) => {
    test.setTimeout(180_000);
    postgres = await startPostgres();
    if (postgres === null) {
      const line = 'SKIPPED: e2e/live.spec.ts NOT RUN: no PostgreSQL server binaries (apt-get install postgresql)';
      if (required('REQUIRE_POSTGRES') || required('REQUIRE_BROWSER')) throw new Error(`${line}, and REQUIRE_POSTGRES=1 or REQUIRE_BROWSER=1`);
      console.error(`\n${'#'.repeat(line.length + 4)}\n# ${line} #\n${'#'.repeat(line.length + 4)}\n`);
      return;
    }
    // Both instances take each other's sessions: the same SECRET_KEY, one database.
    Object.assign(env, ACCOUNTS_ENV, { SECRET_KEY: randomBytes(32).toString('hex') });
    // One after the other: the first migrates the empty database and creates the admin.
    instances.push(await startInstance(postgres.url));
    instances.push(await startInstance(postgres.url));
    const [a, b] = instances as [Instance, Instance];

    // The admin invites a member on instance A; the member joins on instance B.
    const admin = await playwright.request.newContext({ baseURL: a.backend.url });
    const adminToken = await signInViaApi(admin, ADMIN.email, ADMIN.password);
    const invited = await admin.post('/invitations', { data: { email: MEMBER.email, role: 'member' }, headers: { Authorization: `Bearer ${adminToken}` } });
    expect(invited.status()).toBe(201);
    const { token: invitation } = (await invited.json()) as { token: string };
    await admin.dispose();
    const anonymousB = await playwright.request.newContext({ baseURL: b.backend.url });
    const joined = await anonymousB.post('/auth/register', { data: { invitation, email: MEMBER.email, name: MEMBER.name, password: MEMBER.password } });
    expect(joined.ok()).toBe(true);
    await anonymousB.dispose();

    people.push(await signedIn(browser, a, ADMIN.email, ADMIN.password, playwright.request));
    people.push(await signedIn(browser, b, MEMBER.email, MEMBER.password, playwright.request));
  });

  test.beforeEach(() => {
    test.skip(postgres === null, 'no PostgreSQL server binaries (see the SKIPPED line above)');
  });

  // eslint-disable-next-line no-empty-pattern
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status === testInfo.expectedStatus) return;
    const logs = [
      ...instances.map((each, n) => `---- instance ${String(n + 1)}: backend ----\n${each.backend.log()}\n---- preview ----\n${each.preview.log()}`),
      `---- postgres ----\n${postgres?.log() ?? ''}`,
    ].join('\n');
    await testInfo.attach('server output', { body: logs, contentType: 'text/plain' });
    console.error(logs.split('\n').slice(-80).join('\n'));
  });

  test.afterAll(async () => {
    for (const person of people) {
      await person.api.dispose();
      await person.context.close();
    }
    await Promise.all(instances.flatMap((each) => [each.backend.stop(), each.preview.stop()]));
    await postgres?.stop();
  });

  test('both pages say Live', async () => {
    for (const { page } of people) {
      await expect(page.getByTestId('live')).toHaveText(/Live$/);
      await expect(page.getByTestId('live')).toHaveAttribute('role', 'status');
    }
  });

  test("A's create, edit, move and delete appear on B's board without a reload, and A's own create shows once", async ({ tag }) => {
    const [a, b] = people as [Person, Person];
    const title = `Live ${tag}`;
    // B's page must not reload: a marker on its window would be gone.
    await b.page.evaluate(() => {
      (window as unknown as { liveMarker: string }).liveMarker = 'still here';
    });

    await a.page.getByLabel('Quick add a task').fill(title);
    await a.page.getByLabel('Quick add a task').press('Enter');
    await expect(column(b.page, 'todo').getByRole('button', { name: title, exact: true })).toBeVisible({ timeout: 5_000 });
    await expect(b.page.getByTestId('stat-todo')).not.toHaveText('–');
    // A's own write and its echo from the stream: one card, not two.
    await expect(card(a.page, title)).toHaveCount(1);
    await a.page.waitForTimeout(1_000);
    await expect(card(a.page, title)).toHaveCount(1);
    await expect(card(b.page, title)).toHaveCount(1);

    const created = ((await (await a.api.get('/tasks', { params: { q: tag } })).json()) as ApiTask[])[0];
    if (!created) throw new Error('the created task is not in the API');
    const renamed = `${title} renamed`;
    const edited = await a.api.patch(`/tasks/${created.id}`, { data: { title: renamed }, headers: { 'If-Match': `"${String(created.version)}"` } });
    expect(edited.status()).toBe(200);
    await expect(card(b.page, renamed)).toBeVisible({ timeout: 5_000 });
    await expect(card(b.page, title)).toHaveCount(0);

    // A moves it with the keyboard on A's board; B sees it change column.
    await expect(card(a.page, renamed)).toBeVisible();
    await pickUpWithKeyboard(a.page, { title: renamed, status: 'todo' });
    await a.page.keyboard.press('ArrowRight');
    await expect(column(a.page, 'in_progress')).toHaveClass(/is-over/);
    await a.page.keyboard.press('Space');
    await expect(column(b.page, 'in_progress').getByRole('button', { name: renamed, exact: true })).toBeVisible({ timeout: 5_000 });
    await expect(column(b.page, 'todo').getByRole('button', { name: renamed, exact: true })).toHaveCount(0);

    const moved = (await (await a.api.get(`/tasks/${created.id}`)).json()) as ApiTask;
    expect(moved.status).toBe('in_progress');
    const deleted = await a.api.delete(`/tasks/${created.id}`, { headers: { 'If-Match': `"${String(moved.version)}"` } });
    expect(deleted.status()).toBe(204);
    await expect(card(b.page, renamed)).toHaveCount(0, { timeout: 5_000 });

    expect(await b.page.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');
  });

  test("B's open edit dialog says when A changes the task, and loads A's version", async ({ tag }) => {
    const [a, b] = people as [Person, Person];
    const created = await a.api.post('/tasks', { data: { title: `Shared ${tag}` } });
    expect(created.status()).toBe(201);
    const task = (await created.json()) as ApiTask;
    await b.page.getByRole('button', { name: task.title, exact: true }).click();
    const dialog = b.page.getByRole('dialog', { name: 'Edit task' });
    await expect(dialog.getByLabel('Title')).toHaveValue(task.title);
    await expect(dialog.getByText('Changed by someone else')).toHaveCount(0);

    const changed = await a.api.patch(`/tasks/${task.id}`, { data: { title: `Shared ${tag} by A` }, headers: { 'If-Match': `"${String(task.version)}"` } });
    expect(changed.status()).toBe(200);
    await expect(dialog.getByRole('alert')).toContainText('Changed by someone else', { timeout: 5_000 });
    // B's field keeps what B had until B chooses.
    await expect(dialog.getByLabel('Title')).toHaveValue(task.title);
    await dialog.getByRole('button', { name: 'Load their version' }).click();
    await expect(dialog.getByLabel('Title')).toHaveValue(`Shared ${tag} by A`);
    await expect(dialog.getByRole('alert')).toHaveCount(0);

    // B's own save now goes through (it carries A's version), and A sees it.
    await dialog.getByLabel('Title').fill(`Shared ${tag} by B`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(card(a.page, `Shared ${tag} by B`)).toBeVisible({ timeout: 5_000 });
  });

  test("B's open edit dialog closes with a notice when A deletes the task", async ({ tag }) => {
    const [a, b] = people as [Person, Person];
    const created = await a.api.post('/tasks', { data: { title: `Doomed ${tag}` } });
    const task = (await created.json()) as ApiTask;
    await b.page.getByRole('button', { name: task.title, exact: true }).click();
    const dialog = b.page.getByRole('dialog', { name: 'Edit task' });
    await expect(dialog.getByLabel('Title')).toHaveValue(task.title);

    const deleted = await a.api.delete(`/tasks/${task.id}`, { headers: { 'If-Match': `"${String(task.version)}"` } });
    expect(deleted.status()).toBe(204);
    await expect(dialog).toHaveCount(0, { timeout: 5_000 });
    await expect(b.page.getByText(`“${task.title}” was deleted by someone else.`)).toBeVisible();
    await expect(card(b.page, task.title)).toHaveCount(0);
  });

  test("B's backend stops: B's page says Reconnecting…, and Live again once it is back, with what it missed", async ({ tag }) => {
    const [a, b] = people as [Person, Person];
    const instanceB = instances[1];
    if (!instanceB) throw new Error('no instance B');
    await expect(b.page.getByTestId('live')).toHaveText(/Live$/);
    await instanceB.backend.stop();
    await expect(b.page.getByTestId('live')).toHaveText(/Reconnecting…|Offline/, { timeout: 10_000 });

    // A change B's instance is not there to send; B gets it on resuming (Last-Event-ID) or by the refetch.
    const missed = await a.api.post('/tasks', { data: { title: `Missed ${tag}` } });
    expect(missed.status()).toBe(201);
    instanceB.backend = await startBackend(postgres?.url ?? '', instanceB.port, env);
    await expect(b.page.getByTestId('live')).toHaveText(/Live$/, { timeout: 30_000 });
    await expect(card(b.page, `Missed ${tag}`)).toBeVisible({ timeout: 10_000 });
  });
});
