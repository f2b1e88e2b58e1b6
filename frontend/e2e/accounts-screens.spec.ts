// The accounts pages (sign-in, join, people, tokens, account) at desktop and 375 px: screenshots as artifacts, axe-core finds no violation at all, nothing wider than the screen.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, accounts, expect, signInWithPage } from './fixtures';
import { FRONTEND_DIR } from './stack';

const SCREENSHOTS = join(FRONTEND_DIR, 'test-results', 'screenshots');

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'mobile', width: 375, height: 812 },
];

async function check(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id} (${String(v.impact)}): ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

for (const size of WIDTHS) {
  accounts(`sign-in, join, people, tokens and account at ${size.name} width: no axe violations`, async ({ page, tag }, testInfo) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto('/');
    // The sign-in page with the API's refusal showing, and with the "session ended" notice.
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong wrong wrong wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
    await check(page, testInfo, `sign-in-${size.name}`);

    await page.goto('/join?invitation=not-a-real-invitation');
    await expect(page.getByRole('heading', { name: 'Join TaskFlow', level: 1 })).toBeVisible();
    await check(page, testInfo, `join-${size.name}`);

    await page.goto('/people');
    await signInWithPage(page, ADMIN.email, ADMIN.password);
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(`axe-${tag}@example.com`);
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    await expect(page.getByRole('textbox', { name: `Invitation link for axe-${tag}@example.com` })).toBeVisible();
    await expect(page.getByTestId('invitation-row').filter({ hasText: `axe-${tag}@example.com` })).toBeVisible();
    await check(page, testInfo, `people-${size.name}`);

    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill(`Axe token ${tag}`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('textbox', { name: 'New API token' })).toBeVisible();
    await expect(page.getByTestId('token-row').filter({ hasText: `Axe token ${tag}` })).toBeVisible();
    await check(page, testInfo, `tokens-${size.name}`);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Current password').fill('not the current one at all');
    await page.getByLabel('New password').fill('whatever new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert')).toHaveText('Your current password is not right.');
    await check(page, testInfo, `account-${size.name}`);

    await page.getByRole('link', { name: 'Tasks' }).click();
    await expect(page.getByRole('heading', { name: 'No tasks yet' }).or(page.getByTestId('board'))).toBeVisible();
    await check(page, testInfo, `tasks-signed-in-${size.name}`);
  });
}
