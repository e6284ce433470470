// What a user sees and does in the VS Code web workbench, as a small API over a Playwright page.
// Selectors and the "wait for activation before typing" rule: ../shared/E2E-FACTS.md.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer.js';
import { waitFor } from './wait.js';

export interface Notification {
  readonly text: string;
  readonly locator: Locator;
}

export class Workbench {
  /**
   * Extension-host log folders (`<session>/exthostN`) that existed before this page last loaded:
   * they belong to earlier windows, whose "activated" and "ready" lines must not satisfy a wait
   * meant for this window (after a reload, the previous host's lines are still on disk).
   */
  private earlierHosts = new Set<string>();

  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
  ) {}

  /**
   * Opens the workbench on the server's workspace in a new page of `context`. The page starts
   * with no storage for the server's origin (cookies, localStorage, IndexedDB, service workers are
   * cleared); the HTTP cache stays, which saves seconds of loading the workbench per case.
   */
  static async open(context: BrowserContext, server: CodeServer, options: { consoleLog?: (line: string) => void; beforeNavigate?: (page: Page) => Promise<void> } = {}): Promise<Workbench> {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', {
      origin: new URL(server.url).origin,
      storageTypes: 'cookies,local_storage,indexeddb,service_workers,cache_storage,file_systems,websql,shader_cache',
    });
    await cdp.detach();
    if (options.consoleLog) {
      const log = options.consoleLog;
      page.on('console', (message) => log(`[${message.type()}] ${message.text()}`));
      page.on('pageerror', (error) => log(`[pageerror] ${error.message}`));
    }
    await options.beforeNavigate?.(page);
    const workbench = new Workbench(page, server);
    workbench.forgetEarlierHosts();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await workbench.waitReady();
    return workbench;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Reloads the window (a new extension host starts) and waits for the workbench and its status
   * bar; the side bar may come back on any view, so the explorer is not waited for.
   */
  async reload(timeoutMs = 60_000): Promise<void> {
    this.forgetEarlierHosts();
    await this.page.reload();
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  private forgetEarlierHosts(): void {
    const session = this.logSessionDir();
    this.earlierHosts = new Set(session && existsSync(session) ? readdirSync(session).filter((name) => name.startsWith('exthost')).map((name) => path.join(session, name)) : []);
  }

  /** Whether a log file (relative to the session folder) was written by this window's extension host. */
  private ofThisWindow(session: string, relativePath: string): boolean {
    return !this.earlierHosts.has(path.join(session, relativePath.split('/')[0]));
  }

  // --- logs ---------------------------------------------------------------------------------

  /** The newest session folder under `<user-data>/logs` (one per window load). */
  logSessionDir(): string | undefined {
    if (!existsSync(this.server.logsDir)) return undefined;
    const sessions = readdirSync(this.server.logsDir).sort();
    return sessions.length > 0 ? path.join(this.server.logsDir, sessions[sessions.length - 1]) : undefined;
  }

  /** Text of the extension host log, or '' before it exists. */
  exthostLog(): string {
    const session = this.logSessionDir();
    return readLogs(session, (rel) => /^exthost\d*\/remoteexthost\.log$/.test(rel) && this.ofThisWindow(session!, rel));
  }

  /** Text of an extension's output channel log (`exthostN/<extension id>/<channel>.log`). */
  outputChannelLog(extensionId: string): string {
    const session = this.logSessionDir();
    return readLogs(session, (rel) => rel.split('/')[1] === extensionId && this.ofThisWindow(session!, rel));
  }

  /** Waits until this window's extension host has started activating `extensionId`. */
  async waitForActivation(extensionId: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(`activation of ${extensionId}`, () => this.exthostLog().includes(`ExtensionService#_doActivateExtension ${extensionId}`), { timeoutMs });
  }

  async waitForLog(description: string, read: () => string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return waitFor(description, () => read().match(pattern)?.[0], { timeoutMs });
  }

  // --- commands and editors ----------------------------------------------------------------

  /**
   * F1, `>title`, Enter: the command palette as a user drives it. The palette lists the commands
   * registered when it opened and does not refresh, and a webview taking focus closes it; so, as a
   * user would, it is opened again until the command is listed.
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      // Enter before the list has filtered would run whatever was first.
      const listed = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(
        () => true,
        () => false,
      );
      if (listed && (await input.isVisible())) {
        await this.page.keyboard.press('Enter');
        return;
      }
      if (Date.now() > deadline) throw new Error(`the command palette did not list "${title}" within ${timeoutMs} ms`);
      if (await input.isVisible()) await this.page.keyboard.press('Escape');
    }
  }

  /** Opens a workspace file by clicking its explorer row (top-level files). */
  async openFile(name: string): Promise<Locator> {
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
    const editor = this.activeEditor();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
    await editor.waitFor({ state: 'visible' });
    return editor;
  }

  /** Opens any workspace file through Quick Open (Ctrl+P). */
  async quickOpen(relativePath: string): Promise<Locator> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    await this.page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: path.basename(relativePath) }).waitFor({ state: 'visible' });
    return this.activeEditor();
  }

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Clicks into the active editor's text and types like a user. */
  async type(text: string, options: { delayMs?: number } = {}): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.type(text, { delay: options.delayMs ?? 20 });
  }

  // --- status bar and notifications ---------------------------------------------------------

  /** A status bar item contributed by an extension: DOM id `<extension id>.<item id>`. */
  statusBarItem(extensionId: string, itemId: string): Locator {
    return this.page.locator(`.part.statusbar [id="${extensionId}.${itemId}"]`);
  }

  /** The item's visible text (codicons render as empty glyphs, so `$(check) DeepSeek` reads `DeepSeek`). */
  async statusBarText(extensionId: string, itemId: string): Promise<string | undefined> {
    const item = this.statusBarItem(extensionId, itemId);
    if ((await item.count()) === 0) return undefined;
    return (await item.first().innerText()).replace(/\s+/g, ' ').trim();
  }

  async waitForStatusBarText(extensionId: string, itemId: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    let last: string | undefined;
    try {
      return await waitFor(`status bar ${itemId} ~ ${pattern}`, async () => {
        last = await this.statusBarText(extensionId, itemId);
        return last !== undefined && pattern.test(last) ? last : undefined;
      }, { timeoutMs });
    } catch (error) {
      throw new Error(`${(error as Error).message}; last text: ${JSON.stringify(last)}`);
    }
  }

  /** Notification toasts on screen now. */
  async notifications(): Promise<Notification[]> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast-container');
    const found: Notification[] = [];
    for (let i = 0; i < (await toasts.count()); i++) {
      const locator = toasts.nth(i);
      const text = (await locator.locator('.notification-list-item-message').innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      found.push({ text, locator });
    }
    return found;
  }

  async waitForNotification(pattern: RegExp, timeoutMs = 60_000): Promise<Notification> {
    return waitFor(`notification ~ ${pattern}`, async () => (await this.notifications()).find((n) => pattern.test(n.text)), { timeoutMs });
  }

  /** The action buttons of a notification, by label. */
  async notificationActions(notification: Notification): Promise<string[]> {
    return (await notification.locator.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((t) => t.trim());
  }

  async clickNotificationAction(notification: Notification, label: string): Promise<void> {
    await notification.locator.locator('.notification-list-item-buttons-container .monaco-button', { hasText: label }).first().click();
  }

  // --- webviews -----------------------------------------------------------------------------

  /**
   * The content frame of the webview shown inside `partSelector` (e.g. `.part.sidebar`,
   * `.part.auxiliarybar`, `.part.panel`). Webviews live in an overlay layer, not under the part:
   * the ready outer iframe whose box lies inside the part's box is the one, and its `#active-frame`
   * holds the page.
   */
  async webviewFrame(partSelector: string, timeoutMs = 30_000): Promise<Frame> {
    return waitFor(`webview in ${partSelector}`, async () => {
      const part = await this.page.locator(partSelector).first().boundingBox();
      if (!part) return undefined;
      const iframes = this.page.locator('iframe.webview.ready');
      for (let i = 0; i < (await iframes.count()); i++) {
        const box = await iframes.nth(i).boundingBox();
        if (!box || box.width === 0 || !inside(box, part)) continue;
        const outer = await (await iframes.nth(i).elementHandle())?.contentFrame();
        const inner = await (await outer?.$('#active-frame'))?.contentFrame();
        if (inner) return inner;
      }
      return undefined;
    }, { timeoutMs });
  }

  // --- evidence ------------------------------------------------------------------------------

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file });
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => undefined);
  }
}

function inside(box: { x: number; y: number; width: number; height: number }, part: { x: number; y: number; width: number; height: number }): boolean {
  const slack = 2;
  return box.x >= part.x - slack && box.y >= part.y - slack && box.x + box.width <= part.x + part.width + slack && box.y + box.height <= part.y + part.height + slack;
}

function readLogs(sessionDir: string | undefined, pick: (relativePath: string) => boolean): string {
  if (!sessionDir || !existsSync(sessionDir)) return '';
  let text = '';
  for (const rel of readdirSync(sessionDir, { recursive: true }) as string[]) {
    const posix = rel.split(path.sep).join('/');
    if (!pick(posix)) continue;
    try {
      text += readFileSync(path.join(sessionDir, rel), 'utf8');
    } catch {
      // a folder, or rotated away
    }
  }
  return text;
}
