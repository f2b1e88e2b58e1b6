// Create, edit and delete through the page; every change is found again after a reload, and the stats follow.
import { card, column, createTaskViaApi, expect, getTaskViaApi, readStat, search, test } from './fixtures';

test('quick add creates a task in To do, the stats count it, and it is still there after a reload', async ({ page, tag }) => {
  await page.goto('/');
  const todoStat = page.getByTestId('stat-todo');
  const before = await readStat(page, 'todo');

  const title = `Buy milk ${tag}`;
  await page.getByLabel('Quick add a task').fill(title);
  await page.getByLabel('Quick add a task').press('Enter');

  await expect(card(page, title)).toBeVisible();
  await expect(column(page, 'todo').getByRole('button', { name: title, exact: true })).toBeVisible();
  await expect(page.getByLabel('Quick add a task')).toHaveValue('');
  await expect(todoStat).toHaveText(String(before + 1));

  await page.reload();
  await expect(column(page, 'todo').getByRole('button', { name: title, exact: true })).toBeVisible();
});

test('the full form saves every field; a due date with a time shows in the local time zone', async ({ page, api, tag }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'New task…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  const title = `Plan the offsite ${tag}`;
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Description').fill('Venue, agenda and travel');
  await dialog.getByLabel('Priority').selectOption('high');
  await dialog.getByLabel('Assignee').fill(`carol-${tag}`);
  // 09:30 in Paris (the browser's zone in these tests) in January is 08:30 UTC.
  await dialog.getByLabel('Due date').fill('2030-01-15');
  await dialog.getByLabel('Due time (optional)').fill('09:30');
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await expect(dialog).toBeHidden();

  const shown = card(page, title);
  await expect(shown).toContainText('High');
  await expect(shown).toContainText(`@carol-${tag}`);
  await expect(shown).toContainText('Jan 15, 2030, 9:30 AM');
  await expect(shown).toContainText('Venue, agenda and travel');

  const id = await shown.getAttribute('data-task-id');
  const saved = await getTaskViaApi(api, id ?? '');
  expect(new Date(saved.due_date ?? '').toISOString()).toBe('2030-01-15T08:30:00.000Z');
  expect(saved.due_all_day).toBe(false);
  expect(saved.priority).toBe('high');
});

for (const [name, blank] of [
  ['spaces', '    '],
  ['zero-width and bidi characters', ' \u200b\u2060\u200f '],
] as const) {
  test(`a blank title (${name}) is refused on its field, as the API refuses it`, async ({ page, api }) => {
    // The form applies the API's own rule; the API is asked too, so the two cannot drift apart unnoticed.
    expect((await api.post('/tasks', { data: { title: blank } })).status()).toBe(422);

    await page.goto('/');
    await page.getByRole('button', { name: 'New task…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    // These pass the browser's `required`.
    await dialog.getByLabel('Title').fill(blank);
    await dialog.getByRole('button', { name: 'Create task' }).click();

    const titleField = dialog.getByLabel('Title');
    await expect(titleField).toHaveAttribute('aria-invalid', 'true');
    const errorId = await titleField.getAttribute('aria-describedby');
    await expect(dialog.locator(`[id="${errorId ?? ''}"]`)).toHaveText('Enter a title: spaces and invisible characters alone do not count.');
    await expect(dialog.getByLabel('Description')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toBeVisible();
  });
}

test('edit in the dialog: the changes are saved and survive a reload', async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Draft budget ${tag}`, priority: 'low' });
  await page.goto('/');
  await page.getByRole('button', { name: task.title, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit task' });
  await expect(dialog.getByLabel('Title')).toHaveValue(task.title);
  await dialog.getByLabel('Title').fill(`Final budget ${tag}`);
  await dialog.getByLabel('Priority').selectOption('high');
  await dialog.getByLabel('Status').selectOption('in_progress');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  await expect(column(page, 'in_progress').getByRole('button', { name: `Final budget ${tag}`, exact: true })).toBeVisible();
  await page.reload();
  const edited = card(page, `Final budget ${tag}`);
  await expect(edited).toContainText('High');
  await expect(column(page, 'in_progress')).toContainText(`Final budget ${tag}`);
  const saved = await getTaskViaApi(api, task.id);
  expect(saved.version).toBe(task.version + 1);
});

test('delete asks for confirmation, removes the task, and it stays gone after a reload', async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Obsolete chore ${tag}` });
  await page.goto('/');
  const total = page.getByTestId('stat-total');
  await expect(card(page, task.title)).toBeVisible();
  const before = await readStat(page, 'total');

  await page.getByRole('button', { name: task.title, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit task' });
  await dialog.getByRole('button', { name: 'Delete…' }).click();
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await dialog.getByRole('button', { name: 'Delete…' }).click();
  await dialog.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(dialog).toBeHidden();

  await expect(card(page, task.title)).toHaveCount(0);
  await expect(total).toHaveText(String(before - 1));
  await page.reload();
  await search(page, tag);
  await expect(page.getByText(`Obsolete chore ${tag}`)).toHaveCount(0);
  expect((await api.get(`/tasks/${task.id}`)).status()).toBe(404);
});
