// What the user sees, timed in the page: one clock (performance.now()) for the keys pressed and for
// the ghost text the editor shows. A capture-phase keydown listener logs every key; a
// MutationObserver on the editor area reads the ghost state after each DOM batch and logs it when
// it changed. Nothing here knows which extension produced the ghost.
//
// How VS Code 1.139 renders an inline suggestion (workbench.js, `GhostTextView`): the part on the
// cursor's line is injected text, `span.ghost-text-decoration` (or `-preview`) inside
// `.view-lines`; further lines go into a view zone, `.view-zones .suggest-preview-text
// .view-line`, whose ghost parts carry the class `ghost-text` (the original rest of the line, when
// the suggestion was made mid-line, follows them undecorated).
//
// The probe is a script string, not a function: tsx's esbuild adds `__name(…)` helpers to named
// inner functions, which do not exist in the page.
import type { Page } from "playwright-core";

export interface KeyRecord {
  /** performance.now() in the page at keydown. */
  t: number;
  key: string;
}

export interface GhostRecord {
  t: number;
  /** The whole suggestion as shown ('' when none): inline part, then "\n" + each further line. */
  ghost: string;
  /** Whether the ghost starts at the cursor (same line, left edge within a few px). */
  atCursor: boolean;
}

export interface ProbeLog {
  keys: KeyRecord[];
  ghosts: GhostRecord[];
  /** outerHTML of the first multi-line ghost seen (for the report: how VS Code renders it). */
  multiLineSample?: string;
}

const probeScript = String.raw`(() => {
  if (window.__ghostProbe) return;
  const AT_CURSOR_SLACK_PX = 4;
  const log = { keys: [], ghosts: [], multiLineSample: undefined };
  const text = (el) => (el.textContent || '').replace(/\u00a0/g, ' ');
  const activeEditor = () => document.querySelector('.editor-group-container.active .monaco-editor');
  const read = () => {
    const editor = activeEditor();
    if (!editor) return { ghost: '', atCursor: true };
    const inline = [...editor.querySelectorAll('.view-lines .ghost-text-decoration, .view-lines .ghost-text-decoration-preview')];
    const zone = editor.querySelector('.view-zones .suggest-preview-text');
    const zoneLines = zone ? [...zone.querySelectorAll('.view-line')] : [];
    let ghost = inline.map(text).join('');
    for (const line of zoneLines) {
      const parts = [...line.querySelectorAll('[class*="ghost-text"]')];
      ghost += '\n' + (parts.length ? parts.map(text).join('') : text(line));
    }
    if (zoneLines.length && !log.multiLineSample) log.multiLineSample = zone.parentElement.outerHTML.slice(0, 4000);
    if (!ghost) return { ghost, atCursor: true };
    const cursor = editor.querySelector('.cursors-layer .cursor');
    if (!cursor) return { ghost, atCursor: false };
    const c = cursor.getBoundingClientRect();
    const lineHeight = c.height || 18;
    let atCursor;
    if (inline.length) {
      const g = inline[0].getBoundingClientRect();
      atCursor = Math.abs(g.left - c.left) <= AT_CURSOR_SLACK_PX && Math.abs(g.top + g.height / 2 - (c.top + c.height / 2)) < lineHeight / 2;
    } else {
      // A suggestion that starts with a line break has no inline part: its block must start
      // right under the cursor's line.
      const z = zoneLines[0].getBoundingClientRect();
      atCursor = Math.abs(z.top - (c.top + lineHeight)) < lineHeight / 2;
    }
    return { ghost, atCursor };
  };
  let last = { ghost: '', atCursor: true };
  const observe = () => {
    const now = read();
    if (now.ghost === last.ghost && now.atCursor === last.atCursor) return;
    last = now;
    log.ghosts.push({ t: performance.now(), ghost: now.ghost, atCursor: now.atCursor });
  };
  window.addEventListener('keydown', (e) => log.keys.push({ t: performance.now(), key: e.key }), true);
  const root = document.querySelector('.part.editor') || document.body;
  new MutationObserver(observe).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  window.__ghostProbe = { log, read };
})()`;

/** Installs the probe in the page (once; later calls do nothing). */
export async function installGhostProbe(page: Page): Promise<void> {
  await page.evaluate(probeScript);
}

/** The ghost shown now, as the probe reads it. */
export async function shownGhost(page: Page): Promise<string> {
  return page.evaluate("window.__ghostProbe.read().ghost") as Promise<string>;
}

/** How many keydowns the probe has logged: burst boundaries are kept as indices into its log. */
export async function keyCount(page: Page): Promise<number> {
  return page.evaluate("window.__ghostProbe.log.keys.length") as Promise<number>;
}

/** performance.now() in the page. */
export async function pageNow(page: Page): Promise<number> {
  return page.evaluate("performance.now()") as Promise<number>;
}

export async function readProbeLog(page: Page): Promise<ProbeLog> {
  return page.evaluate("window.__ghostProbe.log") as Promise<ProbeLog>;
}
