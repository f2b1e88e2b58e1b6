// Both views at desktop and 375 px: screenshots as artifacts, axe-core finds no serious or critical violations.
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTaskViaApi, expect, test } from './fixtures';
import { FRONTEND_DIR } from './stack';

const SCREENSHOTS = join(FRONTEND_DIR, 'test-results', 'screenshots');

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'mobile', width: 375, height: 812 },
];

test.beforeEach(async ({ api, tag }) => {
  const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  await createTaskViaApi(api, { title: `Write the release notes ${tag}`, priority: 'high', assignee: 'alice', due_date: due(3) });
  await createTaskViaApi(api, { title: `Fix the login redirect ${tag}`, status: 'in_progress', priority: 'medium', assignee: 'bob' });
  await createTaskViaApi(api, { title: `Renew the TLS certificate ${tag}`, priority: 'high', due_date: due(-2) });
  await createTaskViaApi(api, { title: `Archive old invoices ${tag}`, status: 'done', priority: 'low' });
});

for (const view of ['board', 'list'] as const) {
  for (const size of WIDTHS) {
    test(`${view} at ${size.name} width: screenshot, no serious axe violations, nothing wider than the screen`, async ({ page, tag }, testInfo) => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto(view === 'list' ? '/?view=list' : '/');
      if (view === 'board') await expect(page.getByTestId('task-card').filter({ hasText: tag }).first()).toBeVisible();
      else await expect(page.getByTestId('task-row').filter({ hasText: tag }).first()).toBeVisible();
      await expect(page.getByTestId('health')).toHaveText(/Connected/);

      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = join(SCREENSHOTS, `${view}-${size.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(`${view}-${size.name}`, { path: file, contentType: 'image/png' });

      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
}

test('at 375 px: filters fold behind a toggle and still work, and a task can be added and edited', async ({ page, tag }, testInfo) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto('/');
  const toggle = page.getByRole('button', { name: /^Filters/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByLabel('Overdue only')).toBeHidden();
  await toggle.click();
  await page.getByRole('group', { name: 'Priority' }).getByLabel('High').check();
  await expect(page).toHaveURL(/priority=high/);
  await expect(toggle).toHaveText('Filters (1)');
  await expect(page.getByTestId('task-card').filter({ hasText: tag })).toHaveCount(2);

  await page.getByLabel('Quick add a task').fill(`Phone task ${tag}`);
  await page.getByLabel('Quick add a task').press('Enter');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('button', { name: `Phone task ${tag}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit task' });
  await expect(dialog.getByLabel('Title')).toHaveValue(`Phone task ${tag}`);
  const box = await dialog.boundingBox();
  expect((box?.x ?? -1) >= 0 && (box?.width ?? 999) <= 375).toBe(true);

  // The dialog passes axe too, with its delete confirmation showing.
  await dialog.getByRole('button', { name: 'Delete…' }).click();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, 'edit-dialog-mobile.png');
  await page.screenshot({ path: file });
  await testInfo.attach('edit-dialog-mobile', { path: file, contentType: 'image/png' });
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
});
