// One measured run as an e2e case: a fresh code-server with the extension installed from its VSIX,
// the engine ready and a first ghost shown (warm-up), then the scripted edit sessions typed like a
// user, with the probe logging keys and ghosts. The run's log goes to `onDone`.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CDPSession, Page } from "playwright-core";
import { defineCase, type CaseContext, type E2eCase } from "../../e2e/lib/case.js";
import { extensionId, extensionLog, setExtensionLogLevel, waitForEngineReady } from "../../e2e/lib/deepseek.js";
import { sleep, waitFor } from "../../e2e/lib/wait.js";
import { editSessions, type EditSession, type EditStep } from "./editSessions";
import { installGhostProbe, keyCount, pageNow, readProbeLog, shownGhost } from "./ghostProbe";
import { insertedText, insertsExactly, type AcceptCheck, type Burst, type RunLog } from "./metrics";

/** A brisk typist: ~8 keys a second. */
export const KEY_INTERVAL_MS = 120;
/** A pause to look at the screen, long enough for any suggestion that is coming. */
export const PAUSE_MS = 1500;
const WARMUP_FILE = "warmup.js";
/** The extension's output channel (src/vscode/extensionContext.ts). */
/** The first suggestion loads the model's caches; on a busy 2-core machine it took 30 s in e2e. */
const WARMUP_GHOST_TIMEOUT_MS = 150_000;
const SAVE_TIMEOUT_MS = 15_000;

export interface EditorRunResult {
  log: RunLog;
  /** Model requests the extension logged during the measured part, when it logs them. */
  modelRequests: number | undefined;
  undoChecks: { restored: number; total: number };
  multiLineSample?: string;
}

export interface EditorRunOptions {
  name: string;
  threads: number;
  /** The model the extension is set to; undefined: the e2e default (the tiny synthetic model). */
  modelPath?: string;
  /** The whole run's limit; default 480 s. */
  timeoutMs?: number;
  /** How long the model may take to load; default waitForEngineReady's. */
  loadTimeoutMs?: number;
  onDone(result: EditorRunResult): void;
}

/**
 * The extension's trace line for each keystroke's model request, written when it ends, cancelled
 * or not (src/core/completion/completionPipeline.ts `ask`).
 */
const modelAnswerLine = /completion request: keystroke,/g;

export function editorRunCase(options: EditorRunOptions): E2eCase {
  return defineCase({
    name: options.name,
    title: "ghost-text latency while typing scripted edit sessions",
    // Start, engine load, warm-up (up to 150 s on a busy machine) and ~2 min of typing.
    timeoutMs: options.timeoutMs ?? 480_000,
    async prepare(fixtures) {
      await writeFile(path.join(fixtures.workspace, WARMUP_FILE), "// Warm-up: the first suggestion of the run.\n");
      for (const session of editSessions) await writeFile(path.join(fixtures.workspace, session.file), session.content);
    },
    settings: () => ({
      // The extension's completion settings stay at their defaults: we measure what a user gets.
      "deepseekLocal.engine.threads": options.threads,
      ...(options.modelPath === undefined ? {} : { "deepseekLocal.model.path": options.modelPath }),
      // Only this file in the prompt, so runs do not depend on what earlier steps opened.
      "deepseekLocal.completion.extraContext.enabled": false,
      // The editor's own suggest widget would compete with the ghost (and Tab would accept it).
      "editor.quickSuggestions": { other: false, comments: false, strings: false },
      "editor.suggestOnTriggerCharacters": false,
    }),
    async run(t) {
      await t.step("extension activates", () => t.wb.waitForActivation(extensionId));
      await t.step("engine ready", () => waitForEngineReady(t.wb, options.loadTimeoutMs));
      await t.step("extension log at trace", () => setExtensionLogLevel(t.wb, "Trace"));
      const page = t.wb.page;
      await installGhostProbe(page);
      await t.step("warm-up ghost", () => warmUp(t));
      const logAtStart = extensionLog(t.wb).length;
      const measuredFrom = await pageNow(page);
      const driver = new SessionDriver(t);
      for (const session of editSessions) await t.step(`edit ${session.file}`, () => driver.edit(session));
      const probe = await readProbeLog(page);
      // Every key and ghost state with its time, to look into a figure.
      await writeFile(path.join(t.artifactsDir, "probe.json"), JSON.stringify({ ...probe, bursts: driver.bursts, accepts: driver.accepts, measuredFrom }, null, 1));
      const fullLog = extensionLog(t.wb);
      // No trace line at all, not even the warm-up's: the log level hides them.
      const logged = /completion: (model|cache),/.test(fullLog);
      options.onDone({
        log: { keys: probe.keys, ghosts: probe.ghosts, bursts: driver.bursts, accepts: driver.accepts, measuredFrom, keyIntervalMs: KEY_INTERVAL_MS, pauseMs: PAUSE_MS },
        modelRequests: logged ? (fullLog.slice(logAtStart).match(modelAnswerLine) ?? []).length : undefined,
        undoChecks: driver.undoChecks,
        multiLineSample: probe.multiLineSample,
      });
    },
  });
}

async function warmUp(t: CaseContext): Promise<void> {
  const page = t.wb.page;
  await t.wb.openFile(WARMUP_FILE);
  await t.wb.activeEditor().locator(".view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("export const answer = ", { delay: KEY_INTERVAL_MS });
  const ghost = await waitFor("a first ghost", async () => (await shownGhost(page)) || undefined, { timeoutMs: WARMUP_GHOST_TIMEOUT_MS });
  t.log(`warm-up ghost: ${JSON.stringify(ghost)}`);
  await page.keyboard.press("Escape");
}

/** Types the steps of the edit sessions and keeps what the metrics need. */
class SessionDriver {
  readonly bursts: Burst[] = [];
  readonly accepts: AcceptCheck[] = [];
  readonly undoChecks = { restored: 0, total: 0 };
  private file = "";
  private cdp: CDPSession | undefined;

  constructor(private readonly t: CaseContext) {}

  private get page(): Page {
    return this.t.wb.page;
  }

  async edit(session: EditSession): Promise<void> {
    this.file = path.join(this.t.fixtures.workspace, session.file);
    // The explorer row, not Quick Open: Enter in Quick Open can pick a recent file before the list has filtered.
    await this.t.wb.openFile(session.file);
    await this.t.wb.activeEditor().locator(".view-lines").click();
    for (const step of session.steps) await this.do(step);
  }

  private async do(step: EditStep): Promise<void> {
    const keys = this.page.keyboard;
    switch (step.kind) {
      case "burst":
        return this.burst(step.text);
      case "newLineAtEnd":
        await keys.press("Escape");
        await keys.press("Control+End");
        await keys.press("End");
        await keys.press("Enter");
        return;
      case "moveTo":
        await keys.press("Escape");
        await keys.press("Control+Home");
        for (let i = 1; i < step.line; i++) await keys.press("ArrowDown");
        if (step.column === "end") await keys.press("End");
        else for (let i = 1; i < step.column; i++) await keys.press("ArrowRight");
        return;
      case "typeThrough": {
        const shown = await shownGhost(this.page);
        // Up to a control character: a tab would be the accept key, not text.
        const prefix = [.../^[^\x00-\x1f\x7f]*/.exec(shown)![0]].slice(0, step.chars).join("");
        this.t.log(prefix ? `typing through ${JSON.stringify(prefix)} of ${JSON.stringify(shown)}` : `no ghost to type through (${JSON.stringify(shown)}): typing ${JSON.stringify(step.fallback)}`);
        return this.burst(prefix || step.fallback);
      }
      case "accept":
        return this.accept(step.undo);
    }
  }

  /** Keys at KEY_INTERVAL_MS from one start time (so slow presses do not stretch it), then the pause. */
  private async burst(text: string): Promise<void> {
    const firstKey = await keyCount(this.page);
    const started = performance.now();
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      await sleep(started + i * KEY_INTERVAL_MS - performance.now());
      await this.press(chars[i]!);
    }
    await sleep(started + (chars.length - 1) * KEY_INTERVAL_MS + PAUSE_MS - performance.now());
    const logged = await keyCount(this.page);
    if (logged - firstKey !== chars.length) {
      throw new Error(`typed ${chars.length} keys of ${JSON.stringify(text)} but the page logged ${logged - firstKey} keydowns`);
    }
    this.bursts.push({ firstKey, lastKey: logged - 1 });
  }

  /** One key that types `char`. */
  private async press(char: string): Promise<void> {
    if (char === "\n") return this.page.keyboard.press("Enter");
    if (/^[\x20-\x7e]$/.test(char)) return this.page.keyboard.press(char);
    // Playwright knows the US layout only, and types other characters without a keydown. The
    // synthetic model's ghosts start with CJK text: send the keydown a keyboard with that key would.
    this.cdp ??= await this.page.context().newCDPSession(this.page);
    await this.cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key: char, text: char, unmodifiedText: char });
    await this.cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: char });
  }

  /** Tab on the ghost shown now; the saved file before and after says what Tab inserted. */
  private async accept(undo: boolean): Promise<void> {
    if (!(await shownGhost(this.page))) {
      this.t.log("no ghost after the pause: Tab not pressed");
      return;
    }
    const before = await this.save();
    // Read again: saving may have changed what is shown.
    const shown = await shownGhost(this.page);
    if (!shown) {
      this.t.log("the ghost went away on save: Tab not pressed");
      return;
    }
    await this.page.keyboard.press("Tab");
    const after = await this.save();
    const exact = insertsExactly(before, after, shown);
    const inserted = exact ? undefined : insertedText(before, after);
    this.accepts.push({ shown, exact, inserted });
    this.t.log(`Tab on ${JSON.stringify(shown)}: ${exact ? "inserted exactly" : `inserted ${JSON.stringify(inserted ?? "(not a pure insertion)")}`}`);
    if (!undo) return;
    await this.page.keyboard.press("Control+Z");
    const restored = (await this.save()) === before;
    this.undoChecks.total++;
    if (restored) this.undoChecks.restored++;
    this.t.log(`Ctrl+Z after Tab: ${restored ? "back to the text before Tab" : "the editor still differs from the text before Tab"}`);
  }

  private activeTab() {
    return this.page.locator(".editor-group-container.active .tabs-container .tab.active").first();
  }

  private isDirty(): Promise<boolean> {
    return this.activeTab().evaluate((tab) => tab.classList.contains("dirty"));
  }

  /** Ctrl+S, and the file's text once the editor says it is saved. */
  private async save(): Promise<string> {
    await this.page.keyboard.press("Control+S");
    await waitFor(`${path.basename(this.file)} saved`, async () => ((await this.isDirty()) ? undefined : true), { timeoutMs: SAVE_TIMEOUT_MS });
    return readFile(this.file, "utf8");
  }
}
