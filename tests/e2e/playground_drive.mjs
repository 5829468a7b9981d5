// Drives the Microsoft 365 Agents Playground (a local Teams client) in headless Chromium, as a person
// would: waits for the welcome card, asks a question, hovers the citation pill, gives a thumbs-up with a
// comment. Prints one JSON line with what it saw; the Python test asserts on it and on the bot's store.
//
// Environment: PLAYGROUND_URL, QUESTION, COMMENT, SCREENSHOT (PNG path), CHROMIUM (executable).
import { chromium } from 'playwright-core';

const env = (name, fallback) => process.env[name] ?? fallback;
const playgroundUrl = env('PLAYGROUND_URL', 'http://localhost:56150');
const question = env('QUESTION', 'Får vi teckna ett vänortsavtal?');
const comment = env('COMMENT', 'Tydligt svar med källa.');
const screenshot = env('SCREENSHOT', 'answer.png');
const timeout = Number(env('STEP_TIMEOUT_MS', '30000'));
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const result = { steps: [], blockedHosts: [] };
const started = Date.now();
const step = (name, extra = {}) => result.steps.push({ name, ms: Date.now() - started, ...extra });

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
  const page = await context.newPage();
  // The playground asks a CDN for fonts: nothing may leave the machine.
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (LOCAL_HOSTS.has(host)) return route.continue();
    result.blockedHosts.push(host);
    return route.abort();
  });
  await page.goto(playgroundUrl);

  const welcome = page.locator('.ac-adaptiveCard').filter({ hasText: 'Strategibot' }).first();
  await welcome.waitFor({ timeout });
  result.welcomeText = await welcome.innerText();
  step('welcome card');

  const editor = page.locator('[data-lexical-editor="true"][role="textbox"]');
  await editor.click();
  await editor.pressSequentially(question);
  await page.locator('button[aria-label="Send Message"]').click();

  // The answer is the bubble that carries a citation pill.
  const answer = page.locator('.fai-OutputCard').filter({ has: page.locator('a.fai-Citation') }).last();
  await answer.waitFor({ timeout });
  result.answerText = await answer.innerText();
  result.citationPills = await answer.locator('a.fai-Citation').count();
  result.aiLabel = await page.getByText('AI generated', { exact: true }).last().isVisible();
  step('answer with citation');

  await answer.locator('a.fai-Citation').first().hover();
  const popover = page.locator('.fui-PopoverSurface').last();
  await popover.waitFor({ timeout });
  result.citationPopover = await popover.innerText();
  // Let the popover finish fading in, so the screenshot shows it as a person sees it.
  await page.waitForFunction((el) => getComputedStyle(el).opacity === '1', await popover.elementHandle(), { timeout });
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot });
  step('citation popover', { screenshot });

  await page.mouse.move(5, 5);
  await page.locator('button[aria-label="Like"]').last().click();
  const dialog = page.locator('[role="dialog"]').filter({ has: page.locator('textarea') }).last();
  await dialog.waitFor({ timeout });
  await dialog.locator('textarea').fill(comment);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  const outcome = page.getByText(/We appreciate your feedback|Unable to reach app/).first();
  await outcome.waitFor({ timeout });
  result.feedbackOutcome = await outcome.innerText();
  step('feedback');
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error?.message ?? error).split('\n')[0];
} finally {
  await browser.close();
}
result.totalMs = Date.now() - started;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
