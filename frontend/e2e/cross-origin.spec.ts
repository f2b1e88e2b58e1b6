// The production shape: a build with VITE_API_URL calling the backend on another origin through CORS,
// so the browser must be allowed to read X-Total-Count and to send If-Match.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { buildFor, freePort, removeDatabase, seedDatabase, startBackend, startPreview, tempDatabase } from './stack';

test('a build with VITE_API_URL works against a backend on another origin (CORS)', async ({ browser }) => {
  test.setTimeout(120_000);
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
  const webUrl = `http://127.0.0.1:${String(webPort)}`;
  const outDir = mkdtempSync(join(tmpdir(), 'taskflow-e2e-build-'));
  const database = tempDatabase();
  buildFor(apiUrl, outDir);
  // More tasks than one page, so the list's total can only come from the X-Total-Count header.
  seedDatabase(database.url, 120);
  const backend = await startBackend(database.url, apiPort, { CORS_ORIGINS: webUrl });
  // The proxy target is a port nothing listens on: any call that went same-origin would fail.
  const preview = await startPreview('http://127.0.0.1:9', { outDir, port: webPort });
  const context = await browser.newContext({ baseURL: webUrl });
  try {
    const page = await context.newPage();
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(apiUrl)) apiCalls.push(request.url());
    });
    await page.goto('/');
    await expect(page.getByTestId('health')).toHaveText(/Connected/);
    await page.getByLabel('Quick add a task').fill('Across origins');
    await page.getByLabel('Quick add a task').press('Enter');
    await expect(page.getByTestId('column-todo')).toContainText('Across origins');

    // PATCH with If-Match needs a CORS preflight that allows the header.
    await page.getByRole('button', { name: 'Move “Across origins”' }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('column-in_progress')).toContainText('Across origins');
    await page.reload();
    await expect(page.getByTestId('column-in_progress')).toContainText('Across origins');

    // The list's total comes from X-Total-Count, which CORS must expose; unreadable, it would say "100 of 100".
    await page.goto('/?view=list');
    await expect(page.getByTestId('list-count')).toHaveText('Showing 100 of 121');
    expect(apiCalls.length).toBeGreaterThan(0);
  } finally {
    await context.close();
    await Promise.all([backend.stop(), preview.stop()]);
    removeDatabase(database.path);
    rmSync(outDir, { recursive: true, force: true });
  }
});
