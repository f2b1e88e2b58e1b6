// A due day is the same date in every time zone (board, list, dialog); a day set in the form stays a day.
import AxeBuilder from '@axe-core/playwright';
import { card, createTaskViaApi, expect, getTaskViaApi, search, test } from './fixtures';

const DAY_MIDNIGHT_UTC = Date.UTC(2026, 11, 1);

// The same instant (midnight UTC on Dec 1) as each zone's clock shows it: a day must not move with it.
const ZONES = [
  { timezoneId: 'Europe/London', instant: 'Dec 1, 2026, 12:00 AM', decemberOffsetHours: 0 },
  { timezoneId: 'Europe/Paris', instant: 'Dec 1, 2026, 1:00 AM', decemberOffsetHours: 1 },
  { timezoneId: 'America/New_York', instant: 'Nov 30, 2026, 7:00 PM', decemberOffsetHours: -5 },
];

for (const { timezoneId, instant, decemberOffsetHours } of ZONES) {
  test.describe(`in ${timezoneId}`, () => {
    test.use({ timezoneId, locale: 'en-US' });

    test('a day due "2026-12-01" shows as Dec 1, 2026, with no time, on the board, in the list and in the dialog', async ({ page, api, tag }) => {
      const day = await createTaskViaApi(api, { title: `Day ${tag}`, due_date: '2026-12-01' });
      expect(day.due_all_day).toBe(true);
      expect(Date.parse(day.due_date ?? '')).toBe(DAY_MIDNIGHT_UTC);
      // The same midnight sent as an instant still shows as this zone's local date and time.
      const moment = await createTaskViaApi(api, { title: `Instant ${tag}`, due_date: '2026-12-01T00:00:00Z' });
      expect(moment.due_all_day).toBe(false);

      await page.goto('/');
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timezoneId);
      await search(page, tag);
      await expect(card(page, day.title).getByTestId('task-due').locator('time')).toHaveText('Dec 1, 2026');
      await expect(card(page, day.title).getByTestId('task-due').locator('time')).toHaveAttribute('datetime', '2026-12-01');
      await expect(card(page, moment.title).getByTestId('task-due').locator('time')).toHaveText(instant);

      await page.getByRole('button', { name: 'List' }).click();
      const row = page.getByTestId('task-row').filter({ hasText: day.title });
      await expect(row.getByTestId('task-due').locator('time')).toHaveText('Dec 1, 2026');
      await expect(page.getByTestId('task-row').filter({ hasText: moment.title }).getByTestId('task-due').locator('time')).toHaveText(instant);

      await row.getByRole('button', { name: day.title, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit task' });
      await expect(dialog.getByLabel('Due date')).toHaveValue('2026-12-01');
      await expect(dialog.getByLabel('Due time (optional)')).toHaveValue('');
    });

    test('a day set in the form is saved as a day, opens as one, and stays one through an unrelated edit', async ({ page, api, tag }) => {
      await page.goto('/');
      await page.getByRole('button', { name: 'New task…' }).click();
      const create = page.getByRole('dialog', { name: 'New task' });
      const title = `Form day ${tag}`;
      await create.getByLabel('Title').fill(title);
      await create.getByLabel('Due date').fill('2026-12-24');
      await create.getByRole('button', { name: 'Create task' }).click();
      await expect(create).toBeHidden();

      const shown = card(page, title);
      await expect(shown.getByTestId('task-due').locator('time')).toHaveText('Dec 24, 2026');
      const id = (await shown.getAttribute('data-task-id')) ?? '';
      const saved = await getTaskViaApi(api, id);
      expect(saved.due_all_day).toBe(true);
      expect(Date.parse(saved.due_date ?? '')).toBe(Date.UTC(2026, 11, 24));

      await shown.getByRole('button', { name: title, exact: true }).click();
      const edit = page.getByRole('dialog', { name: 'Edit task' });
      await expect(edit.getByLabel('Due date')).toHaveValue('2026-12-24');
      await expect(edit.getByLabel('Due time (optional)')).toHaveValue('');
      const results = await new AxeBuilder({ page }).include('dialog[open]').analyze();
      expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
      await edit.getByLabel('Priority').selectOption('high');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect(edit).toBeHidden();
      await expect(shown).toContainText('High');
      const edited = await getTaskViaApi(api, id);
      expect(edited.due_all_day).toBe(true);
      expect(Date.parse(edited.due_date ?? '')).toBe(Date.UTC(2026, 11, 24));

      // Adding a time makes it an instant of this zone's wall-clock time.
      await shown.getByRole('button', { name: title, exact: true }).click();
      await edit.getByLabel('Due time (optional)').fill('09:30');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect(edit).toBeHidden();
      await expect(shown.getByTestId('task-due').locator('time')).toHaveText('Dec 24, 2026, 9:30 AM');
      const timed = await getTaskViaApi(api, id);
      expect(timed.due_all_day).toBe(false);
      expect(Date.parse(timed.due_date ?? '')).toBe(Date.UTC(2026, 11, 24, 9, 30) - decemberOffsetHours * 3_600_000);
      await page.reload();
      await search(page, tag);
      await expect(card(page, title).getByTestId('task-due').locator('time')).toHaveText('Dec 24, 2026, 9:30 AM');
    });
  });
}

test("the board's overdue agrees with the API's filter: a day is overdue only once it has ended everywhere", async ({ page, api, tag }) => {
  const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  // Today (UTC) has not ended anywhere yet, whatever the hour; two days ago has ended everywhere.
  const today = await createTaskViaApi(api, { title: `Due today ${tag}`, due_date: utcDay(0) });
  const past = await createTaskViaApi(api, { title: `Due two days ago ${tag}`, due_date: utcDay(-2) });

  const overdue = await api.get('/tasks', { params: { overdue: 'true', q: tag } });
  expect(((await overdue.json()) as { title: string }[]).map((t) => t.title)).toEqual([past.title]);

  await page.goto('/');
  await search(page, tag);
  await expect(card(page, past.title)).toHaveClass(/card--overdue/);
  await expect(card(page, past.title).getByTestId('task-due')).toContainText('Overdue ·');
  await expect(card(page, today.title).getByTestId('task-due')).toBeVisible();
  await expect(card(page, today.title)).not.toHaveClass(/card--overdue/);
  await expect(card(page, today.title).getByTestId('task-due')).not.toContainText('Overdue');
});
