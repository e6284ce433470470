// Onboarding (issue 22, item 3) in a real VS Code with no model and no server: the DeepSeek side bar
// shows a "Get Started" view whose welcome content offers the download, a .gguf file or a server;
// its "walkthrough" link (the command "DeepSeek Local: Get Started") opens the walkthrough (model → ghost text → chat → refactor); once a
// model is picked with "Select a .gguf File", the view goes away and the walkthrough's first step is done.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { extensionId } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'onboarding',
  title: 'with no model: a Get Started view and a walkthrough; setting a model completes the first step and hides the view',
  timeoutMs: 180_000,
  settings: () => ({ 'deepseekLocal.model.path': '', 'deepseekLocal.engine.startOnActivation': false }),
  async run(t) {
    const page = t.wb.page;
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    const walkthrough = page.locator('.gettingStartedContainer');

    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('the DeepSeek side bar shows Get Started with the ways to a model', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="DeepSeek Local"]').first().click();
      await welcome.first().waitFor({ state: 'visible', timeout: 30_000 });
      for (const label of ['Download a Model', 'Select a .gguf File', 'Use a Server']) {
        await welcome.locator('a, .monaco-button', { hasText: label }).first().waitFor({ state: 'visible' });
      }
    });
    await t.screenshot('get-started-view');

    await t.step('the view\'s "walkthrough" link opens the walkthrough with its four steps', async () => {
      await welcome.locator('a', { hasText: 'walkthrough' }).first().click();
      const opened = await walkthrough.getByText('Get Started with DeepSeek Local').first().waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false);
      if (!opened) {
        // Say whether VS Code knows the walkthrough at all.
        await t.wb.runCommand('Welcome: Open Walkthrough...');
        await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible' });
        t.log(`walkthroughs listed: ${JSON.stringify(await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts())}`);
        await t.screenshot('walkthroughs-listed');
        throw new Error('the walkthrough did not open');
      }
      for (const step of ['Choose or download a model', 'See your first ghost text', 'Ask in chat', 'Run a refactor']) {
        await walkthrough.locator('.getting-started-step', { hasText: step }).first().waitFor({ state: 'visible' });
      }
    });
    await t.screenshot('walkthrough');

    await t.step('"Select a .gguf File" with a model typed into the open dialog completes the first step and hides the view', async () => {
      // As a user does (code-server's open dialog is a quick input that takes a typed path). Not by
      // writing settings.json behind VS Code's back: its file watcher missed such a write under load.
      await welcome.locator('a, .monaco-button', { hasText: 'Select a .gguf File' }).first().click();
      const dialog = page.locator('.quick-input-widget', { hasText: 'Select a DeepSeek GGUF model' });
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      // The dialog fills in its first folder (the workspace) and lists it, then takes the typed path:
      // typed earlier, the path is overwritten.
      await dialog.locator('.monaco-list-row', { hasText: 'src' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      const input = dialog.locator('input');
      await input.fill(t.fixtures.syntheticModel);
      await dialog.locator('.monaco-list-row', { hasText: path.basename(t.fixtures.syntheticModel) }).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await input.inputValue(), t.fixtures.syntheticModel);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const firstStep = walkthrough.locator('.getting-started-step', { hasText: 'Choose or download a model' }).first();
      await waitFor('first step checked', async () => ((await firstStep.getAttribute('aria-checked')) === 'true' ? true : undefined), { timeoutMs: 20_000 });
      await waitFor('Get Started view gone', async () => ((await welcome.count()) === 0 ? true : undefined), { timeoutMs: 20_000 });
      // Where "Select Model File…" writes it: the remote machine's settings (the setting is machine-scoped).
      const settings = JSON.parse(await readFile(path.join(t.server.userDataDir, 'Machine', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(settings['deepseekLocal.model.path'], t.fixtures.syntheticModel);
    });
    await t.screenshot('model-set');
  },
});
