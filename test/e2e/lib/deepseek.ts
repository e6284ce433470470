// DeepSeek Local as the harness sees it from outside: its id, status bar item, engine process.
import type { CodeServer } from './codeServer.js';
import { descendsFrom, findProcesses } from './processes.js';
import type { Workbench } from './workbench.js';

export const extensionId = 'deepseek-local.deepseek-local';
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
 * folder, forked by its extension host (so a descendant of the code-server process).
 */
export function enginePids(server: CodeServer): number[] {
  return findProcesses(server.extensionsDir)
    .filter((p) => p.cmdline.includes('dist/engine.mjs') && descendsFrom(p.pid, server.process.pid))
    .map((p) => p.pid);
}
