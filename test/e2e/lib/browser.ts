// Debian's chromium driven by playwright-core (never Playwright's own browser download), started
// as a browser server so the harness knows its pid and stops it like its other processes.
import path from 'node:path';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';
import { hermeticEnv } from './codeServer.js';
import type { E2eDeps } from './deps.js';

export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

// ../shared/E2E-FACTS.md ("Browser").
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** `dir`: this browser's HOME/TMPDIR (chromium writes `~/.config/chromium/Crash Reports` otherwise). */
export async function launchBrowser(deps: E2eDeps, dir: string): Promise<LaunchedBrowser> {
  const server: BrowserServer = await chromium.launchServer({
    executablePath: deps.chromium,
    headless: true,
    args: chromiumArgs,
    env: hermeticEnv(path.join(dir)),
    // The harness stops the browser itself, after the servers, on Ctrl+C.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
  let closing: Promise<void> | undefined;
  return {
    browser,
    pid,
    close() {
      closing ??= (async () => {
        await browser.close().catch(() => undefined);
        await server.close().catch(() => undefined);
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone, as it should be
          }
        }
      })();
      return closing;
    },
  };
}
