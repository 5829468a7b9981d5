// Drives the Agents Playground in headless Chromium for an answer that a chat model writes: types a
// question, watches the bot's newest bubble while the answer streams in, until it carries a citation pill,
// then reads the questions to ask next under it.
// Prints one JSON line with the texts it saw; the Python test asserts on it.
// Env: PLAYGROUND_URL, QUESTION, ASK_NEXT (the heading of those questions), MID_SCREENSHOT and
// FINAL_SCREENSHOT (PNG paths), STEP_TIMEOUT_MS, CHROMIUM.
import { env, openPlayground, playgroundUrl, stepTimeout as timeout } from './playground_browser.mjs';

const question = env('QUESTION', 'Vad gäller för intentionsavtal med internationella nätverk?');
const midScreenshot = env('MID_SCREENSHOT', 'streaming.png');
const finalScreenshot = env('FINAL_SCREENSHOT', 'streamed.png');
const askNext = env('ASK_NEXT', 'Fråga vidare:');

const result = { texts: [], blockedHosts: [] };
const started = Date.now();
let browser;
try {
  let page;
  ({ browser, page } = await openPlayground(playgroundUrl, result.blockedHosts));
  await page.locator('.ac-adaptiveCard').filter({ hasText: 'Strategibot' }).first().waitFor({ timeout });

  // The bot's text bubbles: not the welcome card, nor the card of questions to ask next under the answer.
  const bubbles = page.locator('.fai-OutputCard').filter({ hasNot: page.locator('.ac-adaptiveCard') });
  const nextCards = page.locator('.ac-adaptiveCard').filter({ hasText: askNext });
  const before = await bubbles.count();
  const editor = page.locator('[data-lexical-editor="true"][role="textbox"]');
  await editor.click();
  await editor.pressSequentially(question);
  await page.locator('button[aria-label="Send Message"]').click();

  // Sample the newest bubble every 50 ms: while the answer streams, its text grows.
  const deadline = Date.now() + timeout;
  for (;;) {
    if (Date.now() > deadline) throw new Error('no cited answer within the time limit');
    if ((await bubbles.count()) > before) {
      const newest = bubbles.last();
      const text = (await newest.innerText()).trim();
      const pills = await newest.locator('a.fai-Citation').count();
      if (text && text !== result.texts.at(-1)) {
        result.texts.push(text);
        if (result.texts.length === 2 && pills === 0) await page.screenshot({ path: midScreenshot });
      }
      if (pills > 0) {
        result.pills = pills;
        result.plainMarkers = text.match(/\[\d+\]/g) ?? [];
        break;
      }
    }
    await page.waitForTimeout(50);
  }
  // The final message's questions to ask next.
  await nextCards.last().waitFor({ timeout });
  result.nextQuestions = (await nextCards.last().locator('.ac-textBlock').filter({ hasText: '→' }).allInnerTexts())
    .map((t) => t.replace('→', '').trim());
  await page.mouse.move(5, 5);
  await page.screenshot({ path: finalScreenshot });
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error);
} finally {
  result.totalMs = Date.now() - started;
  await browser?.close();
  console.log(JSON.stringify(result));
}
