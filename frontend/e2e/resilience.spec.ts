// What a user meets when things are not normal: an empty database, a backend that stops, a database that is away.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boardLoaded, expect, test } from './fixtures';
import { startStack } from './stack';

test('an empty database shows a call to action that opens the new-task form', async ({ browser }) => {
  const stack = await startStack();
  const context = await browser.newContext({ baseURL: stack.preview.url });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'No tasks yet' })).toBeVisible();
    await page.getByRole('button', { name: 'Create your first task' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    await dialog.getByLabel('Title').fill('First of many');
    await dialog.getByRole('button', { name: 'Create task' }).click();
    await expect(page.getByRole('heading', { name: 'No tasks yet' })).toHaveCount(0);
    await expect(page.getByTestId('column-todo')).toContainText('First of many');
  } finally {
    await context.close();
    await stack.stop();
  }
});

test('the backend really stops: a banner with Retry, never a blank page; Retry recovers once it is back', async ({ browser }) => {
  const stack = await startStack();
  const context = await browser.newContext({ baseURL: stack.preview.url });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByTestId('health')).toHaveText(/Connected/);
    await boardLoaded(page);
    await page.getByLabel('Quick add a task').fill('Survives an outage');
    await page.getByLabel('Quick add a task').press('Enter');
    await expect(page.getByTestId('column-todo')).toContainText('Survives an outage');

    await stack.backend.stop();
    await page.reload();
    const banner = page.getByRole('alert').filter({ hasText: 'Cannot reach the TaskFlow server' });
    await expect(banner).toBeVisible();
    await expect(page.getByTestId('health')).toHaveText(/Unreachable/);
    // The page around it still works: heading, quick add, filters.
    await expect(page.getByRole('heading', { name: 'TaskFlow', level: 1 })).toBeVisible();
    await expect(page.getByLabel('Quick add a task')).toBeEditable();

    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(banner).toBeVisible();

    // The app also looks for the server by itself every 5 s, and once found it hides the banner,
    // so a poll landing between the restart and the click left no Retry to click. Until the
    // click, the page's requests to the server fail as if it were still away.
    let released = false;
    await page.route(/\/(health|tasks)(\/|\?|$)/, (route) =>
      released ? route.continue() : route.abort('connectionrefused'),
    );
    await stack.restartBackend();
    released = true;
    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(banner).toBeHidden();
    await expect(page.getByTestId('health')).toHaveText(/Connected/);
    await expect(page.getByTestId('column-todo')).toContainText('Survives an outage');
  } finally {
    await context.close();
    await stack.stop();
  }
});

test('the database is away: a banner says so and writes are refused; once it is back the board loads by itself', async ({ browser }) => {
  // A real outage on SQLite: the database file's folder does not exist yet, so the backend starts
  // degraded (503 on /health and on every task endpoint) and retries its migration until it appears.
  const folder = join(tmpdir(), `taskflow-e2e-${randomUUID()}`);
  const path = join(folder, 'tasks.db');
  const stack = await startStack({ database: { path, url: `sqlite:///${path}` } });
  const context = await browser.newContext({ baseURL: stack.preview.url });
  try {
    const page = await context.newPage();
    await page.goto('/');
    const banner = page.getByRole('alert').filter({ hasText: 'The TaskFlow server cannot reach its database' });
    await expect(banner).toBeVisible();
    await expect(page.getByTestId('health')).toHaveText(/Degraded/);
    await expect(page.getByTestId('column-todo')).toContainText('Could not load these tasks.');
    const quickAdd = page.getByLabel('Quick add a task');
    await quickAdd.fill('Waits for the database');
    await quickAdd.press('Enter');
    await expect(quickAdd).toHaveAccessibleDescription('Database unavailable');
    await expect(quickAdd).toHaveValue('Waits for the database');

    mkdirSync(folder);
    // The backend migrates within its 2 s retry; the page asks /health every 5 s while degraded.
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('health')).toHaveText(/Connected/);
    await expect(page.getByRole('heading', { name: 'No tasks yet' })).toBeVisible();
    await quickAdd.press('Enter');
    await expect(page.getByTestId('column-todo')).toContainText('Waits for the database');
  } finally {
    await context.close();
    await stack.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});
