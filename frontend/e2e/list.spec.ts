// The list view: sorting by its column headers, and 5,000 tasks loaded page by page while only visible rows render.
import type { Page } from '@playwright/test';
import { createTaskViaApi, expect, search, test } from './fixtures';
import { startStack } from './stack';

function titles(page: Page) {
  return page.getByTestId('task-row').locator('td.col-title');
}

test('sort by title, priority and due date from the column headers; the sort is kept in the URL', async ({ page, api, tag }) => {
  const day = 86_400_000;
  await createTaskViaApi(api, { title: `b-Bravo ${tag}`, priority: 'low', due_date: new Date(Date.now() + 2 * day).toISOString() });
  await createTaskViaApi(api, { title: `a-Alpha ${tag}`, priority: 'high', due_date: new Date(Date.now() + 9 * day).toISOString() });
  await createTaskViaApi(api, { title: `c-Charlie ${tag}`, priority: 'medium', due_date: new Date(Date.now() + 5 * day).toISOString() });

  await page.goto('/?view=list');
  await search(page, tag);
  await expect(page.getByTestId('task-row')).toHaveCount(3);

  await page.getByRole('button', { name: /^Title/ }).click();
  await expect(page).toHaveURL(/sort=title/);
  await expect(titles(page)).toHaveText([`a-Alpha ${tag}`, `b-Bravo ${tag}`, `c-Charlie ${tag}`]);
  await expect(page.getByRole('columnheader', { name: /Title/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: /^Title/ }).click();
  await expect(titles(page)).toHaveText([`c-Charlie ${tag}`, `b-Bravo ${tag}`, `a-Alpha ${tag}`]);

  // Priority sorts by meaning (high > medium > low), not alphabetically.
  await page.getByRole('button', { name: /^Priority/ }).click();
  await expect(page).toHaveURL(/sort=-priority/);
  await expect(titles(page)).toHaveText([`a-Alpha ${tag}`, `c-Charlie ${tag}`, `b-Bravo ${tag}`]);

  await page.getByRole('button', { name: /^Due/ }).click();
  await expect(titles(page)).toHaveText([`b-Bravo ${tag}`, `c-Charlie ${tag}`, `a-Alpha ${tag}`]);
  await page.reload();
  await expect(titles(page)).toHaveText([`b-Bravo ${tag}`, `c-Charlie ${tag}`, `a-Alpha ${tag}`]);
});

test('5,000 tasks: the list pages in 100 at a time as it scrolls, rendering only a window of rows', async ({ browser }) => {
  test.setTimeout(180_000);
  const stack = await startStack({ seed: 5000 });
  const context = await browser.newContext({ baseURL: stack.preview.url });
  try {
    const page = await context.newPage();
    await page.goto('/?view=list&sort=title');
    await expect(page.getByTestId('list-count')).toHaveText('Showing 100 of 5,000');
    await expect(page.getByTestId('stat-total')).toHaveText('5000');
    const scroller = page.getByTestId('list-scroll');

    // Scroll to the end of what is loaded, several times: each time the next page arrives.
    for (const loaded of ['200', '300', '400']) {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await expect(page.getByTestId('list-count')).toHaveText(`Showing ${loaded} of 5,000`);
    }
    const rendered = await page.getByTestId('task-row').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(80);

    // The rows at the bottom are the 3xx-th tasks, in title order, with no gap or repeat at page boundaries.
    const indexes = await page.getByTestId('task-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-index'))));
    for (let i = 1; i < indexes.length; i++) expect(indexes[i]).toBe((indexes[i - 1] ?? 0) + 1);
    expect(Math.max(...indexes)).toBeGreaterThan(250);
    const shown = await titles(page).allTextContents();
    expect([...shown].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))).toEqual(shown);

    // The page still answers: open the edit dialog for a row far down the list.
    await page.getByTestId('task-row').last().getByRole('button').click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await expect(dialog.getByLabel('Title')).not.toHaveValue('');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The board holds 100 cards per column too, and shows more on demand.
    await page.getByRole('button', { name: 'Board', exact: true }).click();
    const todo = page.getByTestId('column-todo');
    await expect(todo.getByTestId('task-card')).toHaveCount(100);
    await todo.getByRole('button', { name: /^Show more \(100 of \d+\)$/ }).click();
    await expect(todo.getByTestId('task-card')).toHaveCount(200);
  } finally {
    await context.close();
    await stack.stop();
  }
});
