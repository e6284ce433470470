// Commit messages (issue 22, item 6) in a real VS Code: a git repository with a staged change (and a
// staged .env, whose contents must stay out of the prompt), the Source Control view opened, its
// "Write Commit Message with DeepSeek" title button clicked; the local model's message streams into
// the commit input box (random weights: its words are not asserted, only that it was written), and
// nothing is committed: HEAD and the index are as before.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { extensionId, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const secretValue = 'E2E_SECRET_TOKEN=do-not-send-1234';
const identity = ['-c', 'user.name=E2E Test', '-c', 'user.email=e2e@example.invalid', '-c', 'commit.gpgsign=false'];
const git = (workspace: string, ...args: string[]) => execFileSync('git', [...identity, ...args], { cwd: workspace, encoding: 'utf8' }).trim();

export default defineCase({
  name: 'commit-message',
  title: 'the Source Control title button writes a commit message for the staged diff into the input box, and commits nothing',
  timeoutMs: 240_000,
  async prepare(fx) {
    git(fx.workspace, 'init', '-q', '-b', 'main');
    git(fx.workspace, 'add', '-A');
    git(fx.workspace, 'commit', '-q', '-m', 'chore: start the workspace');
    await appendFile(path.join(fx.workspace, 'notes.txt'), '\nMore notes.\n');
    git(fx.workspace, 'commit', '-q', '-am', 'docs(notes): add a line');
    await appendFile(path.join(fx.workspace, 'stats.py'), '\n\ndef median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n');
    await writeFile(path.join(fx.workspace, '.env'), `${secretValue}\n`);
    git(fx.workspace, 'add', 'stats.py', '.env');
  },
  // The harness turns the git extension off for speed; this case needs it.
  settings: () => ({ 'git.enabled': true, 'git.autoRepositoryDetection': true, 'deepseekLocal.completion.enabled': false }),
  async run(t) {
    const workspace = t.fixtures.workspace;
    const head = git(workspace, 'rev-parse', 'HEAD');
    const staged = git(workspace, 'diff', '--cached', '--name-only');
    const page = t.wb.page;
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));

    const button = page.locator('.part.sidebar .action-label[aria-label^="Write Commit Message with DeepSeek"]').first();
    await t.step('the Source Control view shows the repository and the DeepSeek button', async () => {
      await t.wb.runCommand('Source Control: Focus on Changes View');
      await page.locator('.part.sidebar .scm-view .monaco-list-row', { hasText: 'stats.py' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await button.waitFor({ state: 'visible', timeout: 30_000 });
    });
    await t.screenshot('scm-view');

    const inputLines = page.locator('.part.sidebar .scm-editor .view-lines').first();
    const inputText = async () => ((await inputLines.innerText()) ?? '').replace(/\u00a0/g, ' ').trim();
    assert.equal(await inputText(), '', 'the commit box starts empty');
    await t.step('clicking it streams a message into the commit box', async () => {
      await button.click();
      await waitFor('text in the commit box', async () => (await inputText()) || undefined, { timeoutMs: 120_000 });
      await t.screenshot('streaming');
      await page.locator('.part.statusbar', { hasText: 'commit message written' }).first().waitFor({ state: 'visible', timeout: 120_000 });
    });
    await t.screenshot('message-written');

    const message = await inputText();
    t.log(`commit box: ${JSON.stringify(message.slice(0, 200))}`);
    assert.ok(message.length > 0, 'the commit box holds the message');
    assert.ok(!message.includes('do-not-send'), 'the .env value is not in the message');
    const log = t.wb.outputChannelLog(extensionId);
    assert.match(log, /commit message: contents left out of the prompt \(private\): \.env/, 'the .env file was left out of the prompt');
    assert.ok(!log.includes('do-not-send'), 'the .env value is not in the log');

    await t.step("the user's own text in the box is not replaced without asking", async () => {
      await inputLines.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('my own message');
      await waitFor('the typed text', async () => ((await inputText()) === 'my own message' ? true : undefined));
      await button.click();
      const question = await t.wb.waitForNotification(/commit message box has your text/);
      assert.deepEqual(await t.wb.notificationActions(question), ['Replace']);
      await t.screenshot('asks-before-replacing');
    });
    assert.equal(await inputText(), 'my own message', 'the typed text stays while the question is open');
    assert.equal(git(workspace, 'rev-parse', 'HEAD'), head, 'nothing was committed');
    assert.equal(git(workspace, 'diff', '--cached', '--name-only'), staged, 'the index is as it was');
  },
});
