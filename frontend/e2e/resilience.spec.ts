// What a user meets when things are not normal: an empty database, and a backend that stops.
import { expect, test } from './fixtures';
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

    await stack.restartBackend();
    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(banner).toBeHidden();
    await expect(page.getByTestId('health')).toHaveText(/Connected/);
    await expect(page.getByTestId('column-todo')).toContainText('Survives an outage');
  } finally {
    await context.close();
    await stack.stop();
  }
});
