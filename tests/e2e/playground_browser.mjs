// Headless Chromium on a page of the Agents Playground, for the drivers in this folder. Nothing may leave
// the machine: the playground asks a CDN for fonts, so requests to other hosts are aborted and recorded.
import { chromium } from 'playwright-core';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// Settings every driver reads: where the playground is, and how long one step may take.
export const env = (name, fallback) => process.env[name] ?? fallback;
export const playgroundUrl = env('PLAYGROUND_URL', 'http://localhost:56150');
export const stepTimeout = Number(env('STEP_TIMEOUT_MS', '30000'));

export async function openPlayground(url, blockedHosts, contextOptions = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (LOCAL_HOSTS.has(host)) return route.continue();
    blockedHosts.push(host);
    return route.abort();
  });
  await page.goto(url);
  return { browser, page };
}

// 👍 or 👎 ("Like" / "Dislike") with a comment on the message that holds `bubble`; returns what the
// playground then says ("We appreciate your feedback." when the bot took it), after closing that dialog.
export async function giveFeedback(page, bubble, button, comment) {
  const message = bubble.locator(`xpath=ancestor::*[.//button[@aria-label="${button}"]][1]`);
  await message.locator(`button[aria-label="${button}"]`).click();
  const dialog = page.locator('[role="dialog"]').filter({ has: page.locator('textarea') }).last();
  await dialog.waitFor({ timeout: stepTimeout });
  await dialog.locator('textarea').fill(comment);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  const outcome = page.getByText(/We appreciate your feedback|Unable to reach app/).first();
  await outcome.waitFor({ timeout: stepTimeout });
  const said = await outcome.innerText();
  const thanks = page.locator('[role="dialog"]').filter({ has: outcome });
  await thanks.getByRole('button', { name: /close/i }).last().click();
  await thanks.waitFor({ state: 'hidden', timeout: stepTimeout });
  return said;
}
