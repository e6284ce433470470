// DeepSeek Local as the harness sees it from outside: its id, status bar item, engine process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import type { CodeServer } from './codeServer.js';
import { descendsFrom, findProcesses } from './processes.js';
import { waitFor } from './wait.js';
import type { Workbench } from './workbench.js';

export const extensionId = 'deepseek-local.deepseek-local';
/** The extension's output channel (src/vscode/extensionContext.ts). */
const outputChannel = 'DeepSeek Local';
/** src/vscode/statusBar.ts `statusBarItemId` (that module imports `vscode`, so not importable here). */
export const statusBarItemId = 'deepseekLocal.status';
/** The item's text in the ready state: `$(check) DeepSeek`, or `… DeepSeek demo` on the synthetic model. */
export const readyText = /^DeepSeek( demo)?( · .*)?$/;

export function statusText(wb: Workbench): Promise<string | undefined> {
  return wb.statusBarText(extensionId, statusBarItemId);
}

export function waitForStatus(wb: Workbench, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  return wb.waitForStatusBarText(extensionId, statusBarItemId, pattern, timeoutMs);
}

export function waitForEngineReady(wb: Workbench, timeoutMs = 90_000): Promise<string> {
  return waitForStatus(wb, readyText, timeoutMs);
}

/** The extension's output channel ("DeepSeek Local"). */
export function extensionLog(wb: Workbench): string {
  return wb.outputChannelLog(extensionId);
}

/**
 * Engine processes of this server: `dist/engine.mjs` of the extension installed in its extensions
 * folder, started by one of its extension hosts (a descendant of the code-server process), or a
 * shared engine that outlived the window that started it (reparented; it still has this server's HOME).
 */
export function enginePids(server: CodeServer): number[] {
  const home = `HOME=${path.join(path.dirname(server.userDataDir), 'home')}`;
  return findProcesses(server.extensionsDir)
    .filter((p) => p.cmdline.includes('dist/engine.mjs') && (descendsFrom(p.pid, server.process.pid) || environment(p.pid).includes(home)))
    .map((p) => p.pid);
}

function environment(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Inline suggestions as VS Code renders them (E2E-FACTS.md, "What a test can see and do"). */
export const ghostTextSelector = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text-decoration-preview';

/** Completion settings for a test: suggest on the first pause, one line, prompt from this file only. */
export const quickCompletionSettings: Record<string, unknown> = {
  'deepseekLocal.completion.debounceMs': 30,
  'deepseekLocal.completion.maxLines': 1,
  'deepseekLocal.completion.extraContext.enabled': false,
  'editor.inlineSuggest.enabled': true,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
};

/** The ghost text shown now ('' when none). */
export async function ghostText(wb: Workbench): Promise<string> {
  return (await wb.page.locator(ghostTextSelector).allInnerTexts()).join('').replace(/\u00a0/g, ' ');
}

/**
 * The ghost text once it stops changing (`quietMs` the same, not empty). A suggestion shown as a
 * preview grows in place, hidden for a moment each time: a single read can be empty or partial.
 */
export async function settledGhostText(wb: Workbench, quietMs = 1_500, timeoutMs = 150_000): Promise<string> {
  let last = '';
  let since = Date.now();
  return waitFor(`the same ghost text for ${quietMs} ms`, async () => {
    const shown = await ghostText(wb);
    if (shown !== last) [last, since] = [shown, Date.now()];
    return shown.trim() && Date.now() - since >= quietMs ? shown : undefined;
  }, { timeoutMs });
}

/** Opens `relativePath`, types `text` on a new last line and waits for ghost text; returns it. */
export async function typeAndWaitForGhostText(wb: Workbench, relativePath: string, text: string, timeoutMs = 60_000): Promise<string> {
  await wb.quickOpen(relativePath);
  await wb.activeEditor().locator('.view-lines').click();
  await wb.page.keyboard.press('Control+End');
  await wb.page.keyboard.press('Enter');
  await wb.page.keyboard.type(text, { delay: 40 });
  return waitFor('ghost text', async () => {
    const shown = await ghostText(wb);
    return shown.trim() ? shown : undefined;
  }, { timeoutMs });
}

/** A new chat in the side bar, its composer visible. */
export async function openNewChat(wb: Workbench): Promise<{ chat: Frame; input: Locator }> {
  await wb.runCommand('DeepSeek Local: New Chat');
  const chat = await wb.webviewFrame('.part.sidebar');
  const input = chat.locator('[data-testid=chat-input]');
  await input.waitFor({ state: 'visible' });
  return { chat, input };
}

/** Types a message into the chat's composer as a user does, and sends it with Enter. */
export async function sendChatMessage(input: Locator, text: string): Promise<void> {
  await input.click();
  await input.pressSequentially(text, { delay: 5 });
  await input.press('Enter');
}

/** Settings that send chat to a (fake) OpenAI-compatible server on this machine. */
export function remoteChatSettings(baseUrl: string, model: string): Record<string, unknown> {
  return {
    'deepseekLocal.backend.chat': 'remote',
    'deepseekLocal.remote.baseUrl': baseUrl,
    'deepseekLocal.remote.flavor': 'openai',
    'deepseekLocal.remote.model': model,
  };
}

/**
 * Developer: Set Log Level… → the extension's channel → `level`, as a user would: the per-request
 * lines are at trace level. (code-server passes no per-extension `--log` to the web workbench.)
 */
export async function setExtensionLogLevel(wb: Workbench, level: 'Trace' | 'Debug' | 'Info'): Promise<void> {
  const page = wb.page;
  const input = page.locator('.quick-input-widget input');
  const pick = async (label: string) => {
    await input.fill(label);
    // Enter picks the first row: wait until the list has filtered down to the label.
    const firstRow = page.locator('.quick-input-widget .monaco-list-row').first();
    await waitFor(`"${label}" first in the list`, async () => (await firstRow.innerText()).includes(label), { timeoutMs: 10_000 });
    await page.keyboard.press('Enter');
  };
  await wb.runCommand('Developer: Set Log Level');
  await pick(outputChannel);
  await pick(level);
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}
