// The status-bar menu (issue 22, item 2) in a real VS Code: clicking the DeepSeek item opens a
// Quick Pick, not the log; "Disable Ghost Text for typescript" turns it off for that language only
// (the item says so, other languages keep it); the menu switches chat to the configured server and
// back; "Show Log" opens the output channel.
import { defineCase } from '../lib/case.js';
import { extensionId, statusBarItemId, waitForEngineReady, waitForStatus } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'status-menu',
  title: 'the status bar item opens a menu: ghost text off for this language, chat backend switched, log shown',
  timeoutMs: 240_000,
  // A server to switch to; nothing is sent to it in this case.
  settings: () => ({ 'deepseekLocal.remote.baseUrl': 'http://127.0.0.1:9' }),
  async run(t) {
    const page = t.wb.page;
    const row = (label: string) => page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    // The menu lists the state of when it opened: after a choice whose setting is still being
    // written, it is opened again, as a user would, until it lists `expect`.
    const openMenu = (expect: string) =>
      waitFor(`menu listing "${expect}"`, async () => {
        await t.wb.statusBarItem(extensionId, statusBarItemId).click();
        if (await row(expect).waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) return true;
        await page.keyboard.press('Escape');
        return undefined;
      }, { timeoutMs: 20_000 });

    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));
    await t.step('open src/math.ts', () => t.wb.quickOpen('src/math.ts'));

    await t.step('the item opens a menu with the ghost text, backend and model entries', async () => {
      await openMenu('Disable Ghost Text for typescript');
      for (const label of ['Snooze Ghost Text', 'Turn Ghost Text Off Everywhere', 'Chat: local engine', 'Select Model File', 'Download Model', 'Restart Engine', 'Show Cache Stats', 'Show Log']) {
        await row(label).waitFor({ state: 'visible' });
      }
      await t.screenshot('menu');
    });

    await t.step('"Disable Ghost Text for typescript": the item says ghost text is off for it', async () => {
      await row('Disable Ghost Text for typescript').click();
      await waitForStatus(t.wb, /off for typescript/, 15_000);
    });
    await t.screenshot('off-for-typescript');

    await t.step('another language keeps ghost text: the note goes with the editor', async () => {
      await t.wb.openFile('stats.py');
      await waitFor('note gone in a python editor', async () => ((await t.wb.statusBarText(extensionId, statusBarItemId))?.includes('off for') ? undefined : true), {
        timeoutMs: 10_000,
      });
      await t.wb.openFile('math.ts');
      await waitForStatus(t.wb, /off for typescript/, 10_000);
    });

    await t.step('the menu turns it back on for typescript', async () => {
      await openMenu('Enable Ghost Text for typescript');
      await row('Enable Ghost Text for typescript').click();
      await waitFor('note gone', async () => ((await t.wb.statusBarText(extensionId, statusBarItemId))?.includes('off for') ? undefined : true), { timeoutMs: 10_000 });
    });

    await t.step('the menu switches chat to the server, and back', async () => {
      await openMenu('Chat: local engine');
      await row('Chat: local engine').click();
      await openMenu('Chat: server');
      await t.screenshot('chat-on-server');
      await row('Chat: server').click();
      await openMenu('Chat: local engine');
      await page.keyboard.press('Escape');
    });

    await t.step('"Show Log" opens the DeepSeek Local output', async () => {
      await openMenu('Show Log');
      await row('Show Log').click();
      // The channel picker of the Output view names the channel shown. (Its first line may have
      // scrolled away: the remote server this case switches to logs its failed probes.)
      const channel = page.locator('.part.panel .monaco-select-box').first();
      await waitFor('the output panel on the DeepSeek Local channel', async () => {
        const shown = await channel.evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.textContent ?? '').catch(() => '');
        return shown.trim() === 'DeepSeek Local' ? true : undefined;
      }, { timeoutMs: 15_000 });
    });
    await t.screenshot('log');
  },
});
