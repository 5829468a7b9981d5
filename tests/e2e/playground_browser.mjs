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
