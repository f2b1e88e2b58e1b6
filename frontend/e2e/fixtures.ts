// Playwright fixtures: each worker gets its own backend + preview; helpers speak the API for arranging tests.
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { stacksStarted, startStack, type Stack } from './stack';

export interface ApiTask {
  id: string;
  title: string;
  description: string | null;
  status: 'todo' | 'in_progress' | 'done';
  priority: 'low' | 'medium' | 'high';
  assignee: string | null;
  due_date: string | null;
  /** true when due_date is a day (sent as `YYYY-MM-DD`), answered as its midnight UTC. */
  due_all_day: boolean;
  version: number;
}

interface WorkerFixtures {
  stack: Stack;
  /** A stack with accounts on (invitations only), its first admin created at start-up: see ACCOUNTS_ENV. */
  accountsStack: Stack;
}

// The backend names the admin it creates from ADMIN_EMAIL after the email's local part.
export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple', name: 'admin' } as const;

/** The backend's settings for a stack with accounts. All tests come from 127.0.0.1, hence the generous /auth budget. */
export const ACCOUNTS_ENV: Record<string, string> = {
  AUTH_REQUIRED: 'true',
  SIGNUP: 'invite',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  AUTH_RATE_PER_MINUTE: '100000',
};

interface TestFixtures {
  /** A short unique token, so tasks of one test never collide with another's on the shared backend. */
  tag: string;
  api: APIRequestContext;
  /** On a failure, the output of the servers the test could have used, in its report. */
  serverLogs: undefined;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  stack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const stack = await startStack();
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  accountsStack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const stack = await startStack({ env: ACCOUNTS_ENV });
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ stack }, use) => {
    await use(stack.preview.url);
  },
  api: async ({ playwright, stack }, use) => {
    const api = await playwright.request.newContext({ baseURL: stack.backend.url });
    await use(api);
    await api.dispose();
  },
  // eslint-disable-next-line no-empty-pattern
  tag: async ({}, use) => {
    await use(randomUUID().slice(0, 8));
  },
  serverLogs: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      const before = new Set(stacksStarted);
      await use(undefined);
      if (testInfo.status === testInfo.expectedStatus) return;
      // The stacks still running (this worker's shared one) and those the test started itself: in full in
      // the report, and their last lines on stderr, which the terminal reporter prints whole (it cuts an
      // attachment to its first lines), so that CI's log shows them.
      for (const [n, stack] of stacksStarted.entries()) {
        if (before.has(stack) && stack.stopped) continue;
        const name = `server output, stack ${String(n + 1)}`;
        const logs = stack.logs();
        await testInfo.attach(name, { body: logs, contentType: 'text/plain' });
        console.error(`==== ${name} (last lines) ====\n${logs.split('\n').slice(-60).join('\n')}`);
      }
    },
    { auto: true },
  ],
});

export { expect };

/** Tests against the worker's stack with accounts (`page` opens it); the single-user stack is not started for them. */
export const accounts = test.extend({
  baseURL: async ({ accountsStack }, use) => {
    await use(accountsStack.preview.url);
  },
});

export async function createTaskViaApi(api: APIRequestContext, task: Partial<ApiTask> & { title: string }): Promise<ApiTask> {
  const response = await api.post('/tasks', { data: task });
  expect(response.status()).toBe(201);
  return (await response.json()) as ApiTask;
}

export async function getTaskViaApi(api: APIRequestContext, id: string): Promise<ApiTask> {
  const response = await api.get(`/tasks/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as ApiTask;
}

export function column(page: Page, status: ApiTask['status']) {
  return page.getByTestId(`column-${status}`);
}

export function card(page: Page, title: string) {
  return page.getByTestId('task-card').filter({ has: page.getByRole('button', { name: title, exact: true }) });
}

/**
 * Focuses a card's handle and picks the card up with the keyboard, returning once dnd-kit will act on arrows.
 * dnd-kit measures the columns only after a drag starts and adds its arrow-key listener on a timer, so an
 * arrow pressed at machine speed can arrive before either and is silently dropped (a person is never that
 * fast). The origin column turning "over" shows the columns are measured; a zero timer, queued after
 * dnd-kit's, shows the listener is in place.
 */
export async function pickUpWithKeyboard(page: Page, task: Pick<ApiTask, 'title' | 'status'>, key: 'Space' | 'Enter' = 'Space'): Promise<void> {
  const handle = page.getByRole('button', { name: `Move “${task.title}”` });
  await handle.focus();
  await expect(handle).toBeFocused();
  await page.keyboard.press(key);
  await expect(column(page, task.status)).toHaveClass(/is-over/);
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve)));
}

/**
 * Waits until the board's columns and the stats bar have loaded (none is aria-busy). A write that settles
 * while those first loads are in flight makes the app fetch them again, aborting the requests still on their
 * way; once in CI (2026-11-24) the new requests then stalled for over 10 s behind `vite preview`'s proxy
 * (response headers, never a body), leaving a column at "Loading tasks…". Not reproduced in some 200 runs since,
 * with and without the machine loaded; a test whose subject is not that race can write after this.
 */
export async function boardLoaded(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

/** A count from the stats bar, once it shows one (it shows a placeholder while it loads). */
export async function readStat(page: Page, name: 'total' | ApiTask['status']): Promise<number> {
  const stat = page.getByTestId(`stat-${name}`);
  await expect(stat).toHaveText(/^\d+$/);
  return Number(await stat.textContent());
}

/** Types into the search box and waits until the URL carries it (the search is debounced). */
export async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search').fill(text);
  await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(text);
}

/** Signs in through the API, as a script would: the session's bearer token. */
export async function signInViaApi(api: APIRequestContext, email: string, password: string): Promise<string> {
  const response = await api.post('/auth/token', { form: { username: email, password } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Fills the sign-in page the app shows to someone not signed in, and waits for the page behind it. */
export async function signInWithPage(page: Page, email: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The token the web app keeps for its session (null when signed out). */
export async function sessionTokenOf(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = window.localStorage.getItem('taskflow.session');
    return raw === null ? null : (JSON.parse(raw) as { token: string }).token;
  });
}
