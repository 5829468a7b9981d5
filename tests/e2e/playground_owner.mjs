// Drives the Agents Playground as a content owner: asks a question and looks at the questions to ask next
// under the answer (do they carry feedback buttons of their own?), gives the answer a 👎 with a comment, asks
// a question the documents do not answer, then types "dokument" and "rapport" and reads the two cards.
// It also looks for a way to attach a file in the compose box; there is none, so it sends the file the way
// Teams delivers one (an attachment with a download link) through the playground's "Custom activity", waits
// for the card that says what was read, and asks a question the file answers.
// Prints one JSON line with what it saw; the Python test asserts on it.
//
// Environment: PLAYGROUND_URL, QUESTION, UNANSWERED, COMMENT, ASK_NEXT (the heading of the questions to ask
// next), DOCUMENTS_TITLE and REPORT_TITLE (the cards' headings), SCREENSHOT_DIR, CHROMIUM; UPLOAD_ACTIVITY (the
// activity's JSON, without the fields the playground fills in), UPLOAD_READ (a text of the card that follows),
// UPLOAD_QUESTION and UPLOAD_QUOTE (a question the file answers, and words of its quote).
import { env, giveFeedback, openPlayground, playgroundUrl, stepTimeout as timeout } from './playground_browser.mjs';

const question = env('QUESTION', 'Vad är internationella beredningen?');
const unanswered = env('UNANSWERED', 'Hur många invånare har Bryssel?');
const comment = env('COMMENT', 'Saknar datum.');
const askNext = env('ASK_NEXT', 'Fråga vidare:');
const documentsTitle = env('DOCUMENTS_TITLE', 'Dokumenten jag svarar utifrån');
const reportTitle = env('REPORT_TITLE', 'Obesvarade frågor, osäkra svar och 👎');
const screenshots = env('SCREENSHOT_DIR', '.');
const uploadActivity = env('UPLOAD_ACTIVITY', '');
const uploadRead = env('UPLOAD_READ', 'Indexerad');
const uploadQuestion = env('UPLOAD_QUESTION', '');
const uploadQuote = env('UPLOAD_QUOTE', '');

const result = { steps: [], blockedHosts: [] };
const started = Date.now();
const step = (name, extra = {}) => result.steps.push({ name, ms: Date.now() - started, ...extra });

let browser;
try {
  let page;
  ({ browser, page } = await openPlayground(playgroundUrl, result.blockedHosts, { locale: 'sv-SE' }));
  await page.locator('.ac-adaptiveCard').filter({ hasText: 'Strategibot' }).first().waitFor({ timeout });
  step('welcome card');

  const editor = page.locator('[data-lexical-editor="true"][role="textbox"]');
  const send = async (text) => {
    await editor.click();
    await editor.pressSequentially(text);
    await page.locator('button[aria-label="Send Message"]').click();
  };
  const likes = page.locator('button[aria-label="Like"]');

  // A compose box that can attach files shows a button for it.
  result.attachButtons = await page
    .locator('button[aria-label*="ttach" i], button[aria-label*="upload" i], input[type="file"]')
    .count();

  // An answer with its questions to ask next: the card is under the answer and has no 👍/👎 of its own.
  const likesBefore = await likes.count();
  const cited = page.locator('.fai-OutputCard').filter({ has: page.locator('a.fai-Citation') });
  const citedBefore = await cited.count();
  await send(question);
  const answer = cited.nth(citedBefore);
  await answer.waitFor({ timeout });
  const nextCard = page.locator('.ac-adaptiveCard').filter({ hasText: askNext }).last();
  await nextCard.waitFor({ timeout });
  await page.waitForTimeout(500);
  const nextMessage = nextCard.locator('xpath=ancestor::*[.//button[@aria-label="Like"]][1]');
  result.next = {
    likesAdded: (await likes.count()) - likesBefore,
    cardInAnswersMessage: (await nextMessage.locator('a.fai-Citation').count()) > 0,
    aiLabels: await nextMessage.getByText('AI generated').count(),
  };
  await nextCard.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screenshots}/next-questions.png` });
  step('answer with questions to ask next');

  // 👎 with a comment on that answer.
  result.feedbackOutcome = await giveFeedback(page, answer, 'Dislike', comment);
  step('dislike with a comment');

  // A question the documents do not answer.
  const bubbles = page.locator('.fai-OutputCard');
  const bubblesBefore = await bubbles.count();
  await send(unanswered);
  await bubbles.nth(bubblesBefore).waitFor({ timeout });
  await page.waitForTimeout(500);
  result.unansweredReply = await bubbles.nth(bubblesBefore).innerText();
  step('unanswered question');

  // The owner's two cards.
  await send('dokument');
  const documents = page.locator('.ac-adaptiveCard').filter({ hasText: documentsTitle }).last();
  await documents.waitFor({ timeout });
  result.documentsCard = await documents.innerText();
  result.documentsButtons = await documents.locator('button').allInnerTexts();
  await documents.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screenshots}/documents.png` });
  step('documents card');

  await send('rapport');
  const report = page.locator('.ac-adaptiveCard').filter({ hasText: reportTitle }).last();
  await report.waitFor({ timeout });
  result.reportCard = await report.innerText();
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screenshots}/report.png` });
  step('report card');

  if (uploadActivity) {
    // Mock an Activity › Custom activity: a JSON editor (Monaco) prefilled with the conversation's fields.
    await page.getByText('Mock an Activity').click();
    await page.getByText('Custom activity', { exact: true }).last().click();
    const dialog = page.locator('[role="dialog"]').filter({ has: page.locator('.monaco-editor') }).last();
    await dialog.waitFor({ timeout });
    await dialog.locator('.monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(uploadActivity);
    await dialog.getByRole('button', { name: 'Send activity' }).click();
    const read = page.locator('.ac-adaptiveCard').filter({ hasText: uploadRead }).last();
    await read.waitFor({ timeout: 4 * timeout });
    result.readCard = await read.innerText();
    await read.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${screenshots}/uploaded.png` });
    step('file sent as Teams sends one, read card');

    const cited = page.locator('.fai-OutputCard').filter({ hasText: uploadQuote }).filter({ has: page.locator('a.fai-Citation') });
    await send(uploadQuestion);
    await cited.last().waitFor({ timeout });
    result.uploadAnswer = await cited.last().innerText();
    step('question answered from the file');
  }
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
