// The production shape: a build with VITE_API_URL calling the backend on another origin through CORS,
// so the browser must be allowed to read X-Total-Count and to send If-Match and Authorization, under the static site's CSP.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACCOUNTS_ENV, ADMIN, expect, pickUpWithKeyboard, signInViaApi, signInWithPage, test } from './fixtures';
import { FRONTEND_DIR, buildFor, freePort, removeDatabase, seedDatabase, startBackend, startPreview, tempDatabase } from './stack';

interface RenderService {
  runtime?: string;
  headers?: { path: string; name: string; value: string }[];
}

/** render.yaml's Content-Security-Policy for the static site, with connect-src pointed at the test API. */
function productionCsp(apiUrl: string): string {
  const blueprint = parse(readFileSync(join(FRONTEND_DIR, '..', 'render.yaml'), 'utf8')) as { services: RenderService[] };
  const site = blueprint.services.find((service) => service.runtime === 'static');
  const csp = site?.headers?.find((header) => header.name.toLowerCase() === 'content-security-policy')?.value;
  if (!csp) throw new Error('render.yaml: the static site has no Content-Security-Policy header');
  return csp
    .split(';')
    .map((directive) => (directive.trim().startsWith('connect-src') ? ` connect-src 'self' ${apiUrl}` : directive))
    .join(';');
}

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
  let backend = await startBackend(database.url, apiPort, { CORS_ORIGINS: webUrl });
  // The proxy target is a port nothing listens on: any call that went same-origin would fail.
  // The page gets the CSP the static site gets on Render; anything it blocks fails the test.
  const preview = await startPreview('http://127.0.0.1:9', { outDir, port: webPort, csp: productionCsp(apiUrl) });
  const context = await browser.newContext({ baseURL: webUrl });
  try {
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
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
    await pickUpWithKeyboard(page, { title: 'Across origins', status: 'todo' });
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('column-in_progress')).toHaveClass(/is-over/);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('column-in_progress')).toContainText('Across origins');
    await page.reload();
    await expect(page.getByTestId('column-in_progress')).toContainText('Across origins');

    // The list's total comes from X-Total-Count, which CORS must expose; unreadable, it would say "100 of 100".
    await page.goto('/?view=list');
    await expect(page.getByTestId('list-count')).toHaveText('Showing 100 of 121');
    expect(apiCalls.length).toBeGreaterThan(0);
    // The board's drag overlay and the list's virtual rows style elements from script: allowed by style-src 'self'.
    await page.goto('/');
    await page.getByRole('button', { name: 'New task…' }).click();
    await page.getByRole('dialog', { name: 'New task' }).getByRole('button', { name: 'Cancel' }).click();

    // The live stream across origins: after the backend restarts the page reconnects (Chromium sends
    // Last-Event-ID without a CORS preflight; a browser that asks first is refused by this API's CORS, and
    // the page then reconnects without it and refetches: src/api/eventStream.test.ts). Live again, with
    // the task created while it was away.
    const createTask = (title: string) =>
      fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title }) });
    await expect(page.getByTestId('live')).toHaveText(/Live$/);
    expect((await createTask('Made before the restart')).status).toBe(201);
    await expect(page.getByTestId('column-todo')).toContainText('Made before the restart', { timeout: 5_000 });
    await backend.stop();
    await expect(page.getByTestId('live')).toHaveText(/Reconnecting…|Offline/);
    backend = await startBackend(database.url, apiPort, { CORS_ORIGINS: webUrl });
    expect((await createTask('Made while the page was away')).status).toBe(201);
    await expect(page.getByTestId('live')).toHaveText(/Live$/, { timeout: 30_000 });
    await expect(page.getByTestId('column-todo')).toContainText('Made while the page was away', { timeout: 10_000 });
    expect(cspViolations).toEqual([]);
  } finally {
    await context.close();
    await Promise.all([backend.stop(), preview.stop()]);
    removeDatabase(database.path);
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('with accounts across origins: sign in, the bearer token passes CORS and the CSP, a 401 returns to sign-in', async ({ browser, playwright }) => {
  test.setTimeout(120_000);
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
  const webUrl = `http://127.0.0.1:${String(webPort)}`;
  const outDir = mkdtempSync(join(tmpdir(), 'taskflow-e2e-build-'));
  const database = tempDatabase();
  buildFor(apiUrl, outDir);
  const backend = await startBackend(database.url, apiPort, { ...ACCOUNTS_ENV, CORS_ORIGINS: webUrl });
  const preview = await startPreview('http://127.0.0.1:9', { outDir, port: webPort, csp: productionCsp(apiUrl) });
  const context = await browser.newContext({ baseURL: webUrl });
  const api = await playwright.request.newContext({ baseURL: apiUrl });
  try {
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    const bearerCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(apiUrl) && request.headers().authorization?.startsWith('Bearer ')) bearerCalls.push(request.url());
    });
    await page.goto('/?view=list');
    await signInWithPage(page, ADMIN.email, ADMIN.password);
    await page.getByLabel('Quick add a task').fill('Signed in across origins');
    await page.getByLabel('Quick add a task').press('Enter');
    await expect(page.getByTestId('task-row').filter({ hasText: 'Signed in across origins' })).toBeVisible();
    expect(bearerCalls.length).toBeGreaterThan(0);

    // The live stream across origins: its bearer token passes CORS and the CSP's connect-src, and a task
    // created elsewhere shows without a reload.
    await expect(page.getByTestId('live')).toHaveText(/Live$/);
    expect(bearerCalls).toContain(`${apiUrl}/events`);
    const elsewhere = await api.post('/tasks', {
      data: { title: 'Made elsewhere, across origins' },
      headers: { Authorization: `Bearer ${await signInViaApi(api, ADMIN.email, ADMIN.password)}` },
    });
    expect(elsewhere.status()).toBe(201);
    await expect(page.getByTestId('task-row').filter({ hasText: 'Made elsewhere, across origins' })).toBeVisible({ timeout: 5_000 });

    // The session ended on the server: the API's 401 must be readable across origins for the app to notice.
    const token = await page.evaluate(() => (JSON.parse(window.localStorage.getItem('taskflow.session') ?? '{}') as { token?: string }).token);
    expect((await api.post('/auth/logout', { headers: { Authorization: `Bearer ${token ?? ''}` } })).status()).toBe(204);
    await page.getByLabel('Search').fill('Signed');
    await expect(page.getByRole('alert')).toContainText('Your session ended');
    expect(cspViolations).toEqual([]);
  } finally {
    await context.close();
    await api.dispose();
    await Promise.all([backend.stop(), preview.stop()]);
    removeDatabase(database.path);
    rmSync(outDir, { recursive: true, force: true });
  }
});
