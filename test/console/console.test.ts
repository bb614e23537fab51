// The operator console in a real headless Chromium against a real node whose PostgreSQL sits behind
// the fault proxy: sign in, a published signal appears in the tape, the store's breaker opens and
// closes on the board, a token created and revoked in the console ends its session, and the tape
// reconnects and resumes after the node restarts; and the pipeline view of a node polling stand-in
// feeds. Screenshots go to test/console/screenshots/.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Page } from 'playwright-core';
import { nodeBehindProxy } from '../ops/support.js';
import { e2e, publish, request } from '../support/node.js';
import { startSamplePipeline } from '../support/pipeline-node.js';
import { requirePostgres } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';
import { launchChromium, openPage, screenshot } from './browser.js';

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
/** Waits for `selector` to be visible in the page. */
const see = (page: Page, selector: string, timeout = 15_000) =>
  page.locator(selector).first().waitFor({ state: 'visible', timeout });
const sessionsShown = async (page: Page) =>
  Number(await text(page, '[data-metric="catalyst_ws_sessions"] b').catch(() => 'NaN'));

describe('operator console in a browser', () => {
  e2e(
    'sign in, tape, tokens, breaker board, reconnect',
    async (t) => {
      if (!(await requirePostgres(t))) return;
      const browser = await launchChromium(t);
      if (!browser) return;
      const { proxy, token, node } = await nodeBehindProxy(t, ['publish', 'subscribe', 'admin'], {
        // Refused connections open the breaker; the timeout only has to outlast a loaded machine,
        // the restarted node's first store calls included.
        CATALYST_DEP_STORE_TIMEOUT_MS: '2000',
        CATALYST_DEP_STORE_BREAKER_VOLUME: '3',
        CATALYST_DEP_STORE_BREAKER_RESET_MS: '1500',
        CATALYST_DEP_STORE_BREAKER_WINDOW_MS: '3000',
        CATALYST_DEP_STORE_RETRY_ATTEMPTS: '1',
        CATALYST_HEARTBEAT_MS: '1000',
      });
      // A loaded machine can still time a publish out; a retry of the same id is stored once.
      const stored = (signal: ReturnType<typeof makeSignal>) =>
        waitFor(
          () => publish(node.url, token, signal).catch(() => undefined),
          'the publish to be stored',
          30_000,
          200,
        );
      const { page, problems } = await openPage(browser, `${node.url}/console`);
      t.after(() => {
        if (problems.length > 0) t.diagnostic(`browser problems:\n${problems.join('\n')}`);
      });

      // Sign in: a wrong token is refused with one line; the right one opens the board.
      await see(page, '#signin-form');
      await page.fill('#token', 'cat_not_a_token');
      await page.click('#signin-form button[type=submit]');
      await see(page, '#signin-error:text("unknown or revoked")');
      await screenshot(page, '1-signin-refused');
      await page.fill('#token', token);
      await page.click('#signin-form button[type=submit]');
      await see(page, '#tape[data-state="live"]');
      // The token lives in this tab's session storage and nowhere else.
      assert.deepEqual(await page.evaluate('Object.values(sessionStorage)'), [token]);
      assert.equal(await page.evaluate('localStorage.length'), 0, 'nothing in local storage');
      assert.deepEqual(await browser.cookies(), [], 'no cookies');

      // A published signal appears in the tape.
      await see(page, '#tape-empty');
      const ack = await stored(makeSignal({ ticker: 'NBTX', title: 'FDA Fast Track granted' }));
      await see(page, `#tape-table tr[data-seq="${ack.seq}"]`);
      assert.match(await text(page, `#tape-table tr[data-seq="${ack.seq}"]`), /NBTX[\s\S]*FDA Fast Track/);
      await see(page, '.breaker[data-name="store"][data-state="closed"]');
      await waitFor(
        async () => (await sessionsShown(page)) === 1,
        'the console to count its own session',
        10_000,
        100,
      );
      await screenshot(page, '2-board');

      // Paused, the tape is unsubscribed; resuming replays what came meanwhile from its position.
      await page.click('#tape-pause');
      await see(page, '#tape[data-state="paused"]');
      const meanwhile = await stored(makeSignal({ ticker: 'PAUS', title: 'While paused' }));
      await screenshot(page, '2a-paused');
      await page.click('#tape-pause');
      await see(page, `#tape-table tr[data-seq="${meanwhile.seq}"]`);
      assert.match(await text(page, '#tape-state'), /replayed 1/, 'it came by replay, not live');

      // Filters: one that matches nothing shows the empty state; clearing it brings the rows back.
      await page.fill('#tape-filters input[name=tickers]', 'ZZZZ');
      await page.click('#tape-filters button[type=submit]');
      await see(page, '#tape-empty:text("match these filters")');
      await screenshot(page, '2b-filtered-empty');
      await page.fill('#tape-filters input[name=tickers]', '');
      await page.click('#tape-filters button[type=submit]');
      await see(page, `#tape-table tr[data-seq="${ack.seq}"]`);

      // A token created in the console is shown once; revoking it ends its session.
      await page.fill('#token-create input[name=name]', 'bot-1');
      await page.click('#token-create button[type=submit]');
      await see(page, '#token-once');
      const botToken = await text(page, '#token-once-value');
      assert.match(botToken, /\S{20,}/);
      const bot = await WsClient.subscribed(node.wsUrl, botToken);
      t.after(() => bot.close());
      await waitFor(async () => (await sessionsShown(page)) === 2, 'two sessions on the board', 10_000, 100);
      await screenshot(page, '3-token-created');
      await page.click('#token-once-done');
      await page.click('[data-revoke="bot-1"]');
      assert.equal((await bot.closed).code, 4403, 'the revoked token ends its session with 4403');
      await see(page, '#tokens tr:has-text("bot-1"):has-text("revoked")');
      await waitFor(async () => (await sessionsShown(page)) === 1, 'one session left', 10_000, 100);
      await screenshot(page, '4-token-revoked');

      // The store made unreachable: the board shows its breaker open, then closed once it is back.
      await proxy.setEnabled(false);
      await waitFor(
        async () => {
          await request(node.url, 'POST', '/signals', { token, body: makeSignal() });
          return page.locator('.breaker[data-name="store"][data-state="open"]').isVisible();
        },
        'the board to show the store breaker open',
        20_000,
        200,
      );
      assert.match(await text(page, '.breaker[data-name="store"]'), /open[\s\S]*last error/i);
      await screenshot(page, '5-breaker-open');
      await proxy.setEnabled(true);
      await see(page, '.breaker[data-name="store"][data-state="closed"]', 20_000);
      // The panels that failed during the outage refresh once the board sees it over.
      await see(page, '#pipeline[data-state="ok"]');
      await screenshot(page, '6-breaker-closed');

      // The node restarts: the tape says the connection is lost, then reconnects and resumes.
      await node.stop('SIGTERM');
      await see(page, '#tape[data-state="lost"]');
      await screenshot(page, '7-connection-lost');
      await node.restart();
      const missed = await stored(makeSignal({ ticker: 'ACME', title: 'Published while away' }));
      await see(page, `#tape-table tr[data-seq="${missed.seq}"]`, 30_000);
      await see(page, '#tape[data-state="live"]');
      assert.equal(
        await page.locator(`#tape-table tr[data-seq="${ack.seq}"]`).count(),
        1,
        'no duplicate rows',
      );
      // The restarted node counts from zero again; the board's recent failures must not go negative.
      await see(page, '.breaker[data-name="store"][data-state="closed"]');
      assert.doesNotMatch(await text(page, '.breaker[data-name="store"]'), /last minute\s*-/);
      await screenshot(page, '8-resumed');
      assert.deepEqual(
        problems.filter((p) => !/WebSocket|Failed to load resource/.test(p)),
        [],
        'no script errors in the page',
      );
    },
    { timeout: 180_000 },
  );

  e2e(
    'the pipeline view of a node polling feeds: freshness, a failing feed, the funnel, drops with reasons',
    async (t) => {
      const browser = await launchChromium(t);
      if (!browser) return;
      const pl = await startSamplePipeline(t);
      // PR Newswire answers 503 from the first poll: the view shows it never succeeded, and why.
      pl.fakes.setFault('prn', { kind: 'server_error', status: 503 });
      const { page, problems } = await openPage(browser, `${pl.node.url}/console`);
      await page.fill('#token', pl.token);
      await page.click('#signin-form button[type=submit]');
      await see(page, '#tape[data-state="live"]');
      const view = () => text(page, '#pipeline');
      await waitFor(
        async () => {
          const v = await view();
          // Headings are upper-cased by the style sheet, and innerText reads them so.
          return /sec_edgar/.test(v) && /503/.test(v) && /funnel/i.test(v) && !/No drops/.test(v);
        },
        'feeds, the failing one, the funnel and drops in the pipeline view',
        60_000,
        250,
      );
      assert.match(await text(page, '#pipeline tr:has-text("prnewswire")'), /never[\s\S]*503/);
      // Every drop shows its stage and reason word, as the ledger recorded it.
      const drops = (await pl.items('&decision=dropped')).slice(0, 3);
      assert.ok(drops.length > 0);
      // The ledger may hold drops the panel's last refresh had not read yet: wait for its next ones.
      for (const d of drops) {
        const shown = new RegExp(`${d.stage}\\s+${d.reason}`);
        await waitFor(
          async () => shown.test(await view()),
          `the drop ${d.stage} ${d.reason} in the view`,
          30_000,
          250,
        );
      }
      await screenshot(page, '9-pipeline');
      assert.deepEqual(
        problems.filter((p) => !/WebSocket|Failed to load resource/.test(p)),
        [],
        'no script errors in the page',
      );
    },
    { timeout: 120_000 },
  );
});
