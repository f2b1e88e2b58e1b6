// Moving cards between columns by mouse and by keyboard, saved with If-Match; refusals roll back, 412s offer a reload.
import { card, column, createTaskViaApi, expect, getTaskViaApi, pickUpWithKeyboard, readStat, test } from './fixtures';

test('drag a card with the mouse from To do to In progress; the move is saved', async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Mouse move ${tag}` });
  await page.goto('/');
  const source = card(page, task.title);
  await expect(source).toBeVisible();
  const inProgressStat = page.getByTestId('stat-in_progress');
  const inProgressBefore = await readStat(page, 'in_progress');

  const from = await source.boundingBox();
  const to = await column(page, 'in_progress').boundingBox();
  if (!from || !to) throw new Error('card or column not laid out');
  await page.mouse.move(from.x + from.width / 2, from.y + 12);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 20, from.y + 20, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 12 });
  await expect(column(page, 'in_progress')).toHaveClass(/is-over/);
  await page.mouse.up();

  await expect(column(page, 'in_progress').getByRole('button', { name: task.title, exact: true })).toBeVisible();
  await expect(column(page, 'todo').getByRole('button', { name: task.title, exact: true })).toHaveCount(0);
  await expect.poll(async () => (await getTaskViaApi(api, task.id)).status).toBe('in_progress');
  await expect(inProgressStat).toHaveText(String(inProgressBefore + 1));
  await page.reload();
  await expect(column(page, 'in_progress').getByRole('button', { name: task.title, exact: true })).toBeVisible();
});

test('move a card with the keyboard alone: Space, arrows, Space', async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Keyboard move ${tag}` });
  await page.goto('/');
  await pickUpWithKeyboard(page, task);
  await page.keyboard.press('ArrowRight');
  await expect(column(page, 'in_progress')).toHaveClass(/is-over/);
  await page.keyboard.press('ArrowRight');
  await expect(column(page, 'done')).toHaveClass(/is-over/);
  await page.keyboard.press('Space');

  await expect(column(page, 'done').getByRole('button', { name: task.title, exact: true })).toBeVisible();
  await expect.poll(async () => (await getTaskViaApi(api, task.id)).status).toBe('done');

  // Focus stays on the moved card, so the next move needs no mouse either: back one column.
  await expect(page.getByRole('button', { name: `Move “${task.title}”` })).toBeFocused();
  await pickUpWithKeyboard(page, { title: task.title, status: 'done' }, 'Enter');
  await page.keyboard.press('ArrowLeft');
  await expect(column(page, 'in_progress')).toHaveClass(/is-over/);
  await page.keyboard.press('Enter');
  await expect(column(page, 'in_progress').getByRole('button', { name: task.title, exact: true })).toBeVisible();
  await page.reload();
  await expect(column(page, 'in_progress').getByRole('button', { name: task.title, exact: true })).toBeVisible();
});

test('a move the server refuses (the task changed elsewhere) is rolled back with a message', async ({ page, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Stale move ${tag}` });
  // Live, the page would hear of the other edit (GET /events) and move the new version. With the stream
  // down its copy stays stale until a refetch: the case this test is about.
  await page.route('**/events', (route) => route.abort());
  await page.goto('/');
  await expect(page.getByTestId('live')).toHaveText(/Reconnecting…|Offline/);
  await expect(card(page, task.title)).toBeVisible();
  // Someone else edits the task after this page loaded it: the page's If-Match is now stale.
  expect((await api.patch(`/tasks/${task.id}`, { data: { priority: 'high' } })).status()).toBe(200);

  // Each key once the board has taken the one before: an arrow pressed before the pick-up has
  // registered is lost, and the card is dropped where it was (seen once in CI, 2026-12-05).
  await pickUpWithKeyboard(page, task);
  await page.keyboard.press('ArrowRight');
  await expect(column(page, 'in_progress')).toHaveClass(/is-over/);
  await page.keyboard.press('Space');

  await expect(page.getByText(`“${task.title}” was changed by someone else, so it was not moved.`)).toBeVisible();
  await expect(column(page, 'todo').getByRole('button', { name: task.title, exact: true })).toBeVisible();
  await expect(column(page, 'in_progress').getByRole('button', { name: task.title, exact: true })).toHaveCount(0);
  expect((await getTaskViaApi(api, task.id)).status).toBe('todo');
  await expect(page.getByRole('button', { name: `Move “${task.title}”` })).toBeFocused();

  await page.getByRole('button', { name: 'Reload', exact: true }).click();
  await expect(card(page, task.title)).toContainText('High');
});

test('412 between two browser contexts editing one task: the second is told and can reload', async ({ browser, baseURL, api, tag }) => {
  const task = await createTaskViaApi(api, { title: `Shared task ${tag}` });
  const alice = await browser.newContext({ baseURL });
  const bob = await browser.newContext({ baseURL });
  try {
    const pageA = await alice.newPage();
    const pageB = await bob.newPage();
    await Promise.all([pageA.goto('/'), pageB.goto('/')]);
    for (const p of [pageA, pageB]) await p.getByRole('button', { name: task.title, exact: true }).click();
    const dialogA = pageA.getByRole('dialog', { name: 'Edit task' });
    const dialogB = pageB.getByRole('dialog', { name: 'Edit task' });
    await expect(dialogA.getByLabel('Title')).toHaveValue(task.title);
    await expect(dialogB.getByLabel('Title')).toHaveValue(task.title);

    await dialogA.getByLabel('Title').fill(`Alice's title ${tag}`);
    await dialogA.getByRole('button', { name: 'Save' }).click();
    await expect(dialogA).toBeHidden();

    await dialogB.getByLabel('Assignee').fill('bob');
    await dialogB.getByRole('button', { name: 'Save' }).click();
    await expect(dialogB.getByRole('alert')).toContainText('Someone else changed this task');
    expect((await getTaskViaApi(api, task.id)).assignee).toBeNull();

    await dialogB.getByRole('button', { name: 'Reload task' }).click();
    await expect(dialogB.getByLabel('Title')).toHaveValue(`Alice's title ${tag}`);
    await expect(dialogB.getByLabel('Assignee')).toHaveValue('');
    await dialogB.getByLabel('Assignee').fill('bob');
    await dialogB.getByRole('button', { name: 'Save' }).click();
    await expect(dialogB).toBeHidden();

    const saved = await getTaskViaApi(api, task.id);
    expect(saved.title).toBe(`Alice's title ${tag}`);
    expect(saved.assignee).toBe('bob');
  } finally {
    await alice.close();
    await bob.close();
  }
});
