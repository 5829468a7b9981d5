// Drives the Microsoft 365 Agents Playground (a local Teams client) in headless Chromium, as a person
// would: waits for the welcome card, presses one of its example questions and "Get started", hovers the
// citation pills, types a question, clicks a question to ask next, gives a thumbs-up with a comment on the first
// answer, reloads the page.
// Prints one JSON line with what it saw; the Python test asserts on it and on the bot's feedback store.
//
// Environment: PLAYGROUND_URL, EXAMPLE (a welcome-card example line), GET_STARTED (its button), WALK_HEADER (the
// first words of the getting-started answer), QUESTION (typed), COMMENT, SCREENSHOT, WALK_SCREENSHOT and
// NEXT_SCREENSHOT (PNG paths), CHROMIUM.
import { env, giveFeedback, openPlayground, playgroundUrl, stepTimeout as timeout } from './playground_browser.mjs';

const example = env('EXAMPLE', 'Who chairs the international committee?');
const getStarted = env('GET_STARTED', 'Get started');
const walkHeader = env('WALK_HEADER', 'Getting started as');
const question = env('QUESTION', 'Vad är internationella beredningen?');
const comment = env('COMMENT', 'Tydligt svar med källa.');
const askNext = env('ASK_NEXT', 'Fråga vidare:');
const nextScreenshot = env('NEXT_SCREENSHOT', 'next-questions.png');
const walkScreenshot = env('WALK_SCREENSHOT', 'get-started.png');
const screenshot = env('SCREENSHOT', 'answer.png');
const PLAIN_MARKER = /\[\d+\]/g;

const result = { steps: [], blockedHosts: [] };
const started = Date.now();
const step = (name, extra = {}) => result.steps.push({ name, ms: Date.now() - started, ...extra });

let browser;
try {
  let page;
  ({ browser, page } = await openPlayground(playgroundUrl, result.blockedHosts, { locale: 'sv-SE' }));

  const welcomeCard = () => page.locator('.ac-adaptiveCard').filter({ hasText: 'Strategibot' });
  const welcome = welcomeCard().first();
  await welcome.waitFor({ timeout });
  result.welcomeText = await welcome.innerText();
  // The bot's name as the chat shows it: the avatar's label and the author line of its messages.
  result.botAvatarLabels = await page.locator('[aria-label="Strategibot"]').count();
  result.testBotShown = await page.getByText('Test Bot', { exact: true }).count();
  step('welcome card');

  // A bubble of the bot with the given text and at least one citation pill.
  const citedBubble = (text) =>
    page.locator('.fai-OutputCard').filter({ hasText: text }).filter({ has: page.locator('a.fai-Citation') }).last();
  const pillsOf = async (bubble) => {
    const text = await bubble.innerText();
    return { text, pills: await bubble.locator('a.fai-Citation').count(), plainMarkers: text.match(PLAIN_MARKER) ?? [] };
  };
  const hoverFirstPill = async (bubble) => {
    await bubble.locator('a.fai-Citation').first().hover();
    const popover = page.locator('.fui-PopoverSurface').last();
    await popover.waitFor({ timeout });
    const seen = {
      text: await popover.innerText(),
      links: await popover.locator('a[href]').evaluateAll((links) => links.map((a) => a.href)),
    };
    return { popover, seen };
  };

  // Questions offered as clickable lines ("→ question") in a card, and how many of them are cut short.
  const askLines = (card) => card.locator('.ac-textBlock').filter({ hasText: '→' });
  const cutLines = (lines) =>
    lines.evaluateAll((blocks) => blocks.filter((b) => b.scrollWidth > b.clientWidth + 1).length);

  const exampleLines = askLines(welcome);
  result.welcomeExamples = {
    questions: (await exampleLines.allInnerTexts()).map((t) => t.replace('→', '').trim()),
    cut: await cutLines(exampleLines),
  };
  await exampleLines.filter({ hasText: example }).click();
  const exampleAnswer = citedBubble(example);
  await exampleAnswer.waitFor({ timeout });
  result.example = await pillsOf(exampleAnswer);
  const { popover, seen } = await hoverFirstPill(exampleAnswer);
  result.example.popover = seen;
  // Let the popover finish fading in, so the screenshot shows it as a person sees it.
  await page.waitForFunction((el) => getComputedStyle(el).opacity === '1', await popover.elementHandle(), { timeout });
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot });
  await page.mouse.move(5, 5);
  step('example button answered', { screenshot });

  await welcome.getByRole('button', { name: getStarted, exact: true }).click();
  const walk = citedBubble(walkHeader);
  await walk.waitFor({ timeout: 2 * timeout });
  result.walk = await pillsOf(walk);
  await walk.scrollIntoViewIfNeeded();
  await page.screenshot({ path: walkScreenshot });
  step('get started answered', { screenshot: walkScreenshot });

  // 👍 on the first of the two answers: the Like button of the message that holds the example answer.
  result.feedbackOutcome = await giveFeedback(page, exampleAnswer, 'Like', comment);
  step('feedback');

  const cited = page.locator('.fai-OutputCard').filter({ has: page.locator('a.fai-Citation') });
  const citedBefore = await cited.count();
  const editor = page.locator('[data-lexical-editor="true"][role="textbox"]');
  await editor.click();
  await editor.pressSequentially(question);
  await page.locator('button[aria-label="Send Message"]').click();
  const typed = cited.nth(citedBefore);
  await typed.waitFor({ timeout });
  result.typed = await pillsOf(typed);
  result.typed.popover = (await hoverFirstPill(typed)).seen;
  await page.mouse.move(5, 5);
  step('typed question answered');

  // Questions to ask next, under the typed question's answer: each shown whole, and a click asks it.
  const nextCard = page.locator('.ac-adaptiveCard').filter({ hasText: askNext }).last();
  await nextCard.waitFor({ timeout });
  const rows = askLines(nextCard);
  result.next = {
    questions: (await rows.allInnerTexts()).map((t) => t.replace('→', '').trim()),
    cut: await cutLines(rows),
  };
  const nextQuestion = result.next.questions[0];
  await rows.first().click();
  const nextAnswer = citedBubble(nextQuestion);
  await nextAnswer.waitFor({ timeout });
  result.next.answer = await pillsOf(nextAnswer);
  await nextAnswer.scrollIntoViewIfNeeded();
  await page.screenshot({ path: nextScreenshot });
  step('question to ask next answered', { screenshot: nextScreenshot });

  await page.reload();
  await welcomeCard().first().waitFor({ timeout });
  result.welcomesAfterReload = await welcomeCard().count();
  step('welcome after reload');
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error?.message ?? error).split('\n')[0];
} finally {
  await browser?.close();
}
result.totalMs = Date.now() - started;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
