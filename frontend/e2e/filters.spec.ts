// Filters and search live in the URL: the view narrows, the address can be bookmarked, a reload restores it.
import { card, createTaskViaApi, expect, search, test } from './fixtures';

test('filter by priority, assignee, status and overdue; the URL keeps them and a reload restores them', async ({ page, api, tag }) => {
  const past = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const who = `dana-${tag}`;
  await createTaskViaApi(api, { title: `Dana high late ${tag}`, priority: 'high', assignee: who, due_date: past });
  await createTaskViaApi(api, { title: `Dana high on time ${tag}`, priority: 'high', assignee: who, due_date: future });
  await createTaskViaApi(api, { title: `Dana low ${tag}`, priority: 'low', assignee: who });
  await createTaskViaApi(api, { title: `Dana done late ${tag}`, priority: 'high', assignee: who, status: 'done', due_date: past });
  await createTaskViaApi(api, { title: `Someone else high ${tag}`, priority: 'high', assignee: `erin-${tag}` });

  await page.goto('/');
  await page.getByLabel('Assignee', { exact: true }).fill(who);
  await expect(page).toHaveURL(new RegExp(`assignee=${who}`));
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(4);

  await page.getByRole('group', { name: 'Priority' }).getByLabel('High').check();
  await expect(page).toHaveURL(/priority=high/);
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(3);

  await page.getByLabel('Overdue only').check();
  await expect(page).toHaveURL(/overdue=true/);
  // Overdue means past due AND not done, so the late-but-done task is not in it.
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(1);
  await expect(card(page, `Dana high late ${tag}`)).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue(who);
  await expect(page.getByRole('group', { name: 'Priority' }).getByLabel('High')).toBeChecked();
  await expect(page.getByLabel('Overdue only')).toBeChecked();
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(1);

  await page.getByLabel('Overdue only').uncheck();
  await page.getByRole('group', { name: 'Status' }).getByLabel('Done').check();
  await expect(page).toHaveURL(/status=done/);
  await expect(page.getByTestId('column-todo')).toHaveCount(0);
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(1);
  await expect(card(page, `Dana done late ${tag}`)).toBeVisible();

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/assignee=|priority=|status=/);
  await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue('');
});

test('search is debounced, matches title or description case-insensitively, and survives a reload', async ({ page, api, tag }) => {
  await createTaskViaApi(api, { title: `Quarterly REPORT ${tag}` });
  await createTaskViaApi(api, { title: `Unrelated ${tag}`, description: `the report appendix ${tag}` });
  await createTaskViaApi(api, { title: `Something else ${tag}` });

  await page.goto('/?view=list');
  await search(page, `report ${tag}`);
  await expect(page.getByTestId('task-row')).toHaveCount(1);
  await expect(page.getByTestId('task-row')).toContainText(`Quarterly REPORT ${tag}`);

  await search(page, `appendix ${tag}`);
  await expect(page.getByTestId('task-row')).toHaveCount(1);
  await expect(page.getByTestId('task-row')).toContainText(`Unrelated ${tag}`);

  await page.reload();
  await expect(page.getByLabel('Search')).toHaveValue(`appendix ${tag}`);
  await expect(page.getByTestId('task-row')).toHaveCount(1);
  await expect(page.getByTestId('list-count')).toHaveText('Showing 1 of 1');
});
