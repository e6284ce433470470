// The extra-context feed (src/vscode/completion/extraContextFeed.ts) driven through a fake `vscode`:
// what the user's switches and the privacy rules let into completion prompts (issue 19, item 6).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Engine, InfillRequest, InfillWarmUp, PrefillRequest } from "../../../src/core/engine/engine.js";
import { warmLocalInfill } from "../../../src/backends/local/localInfill.js";
import { CompletionPipeline, defaultCompletionSettings } from "../../../src/core/completion/completionPipeline.js";
import { ExtraContextFeed } from "../../../src/vscode/completion/extraContextFeed.js";
import { Config } from "../../../src/vscode/config.js";
import { WorkspacePrivacy } from "../../../src/vscode/workspacePrivacy.js";
import { FakeDocument, Uri, fake } from "../../fixtures/fakeVscode.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

const workspace = "/work/project";
const code = (name: string) => `export function ${name}(a: number, b: number) {\n  const sum = a + b;\n  console.log(sum);\n  return sum * 2;\n}\n`;
const doc = (relative: string, text: string, languageId = "typescript") => new FakeDocument(Uri.file(`${workspace}/${relative}`), text, languageId);

function engine() {
  const prefills: PrefillRequest[] = [];
  const infills: InfillRequest[] = [];
  const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 0, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };
  const value = {
    kind: "local",
    prefill: async (request: PrefillRequest) => (prefills.push(request), metrics),
    infill: async (request: InfillRequest) => (infills.push(request), { text: "", stopReason: "eos", metrics }),
    warmUp: (request: InfillWarmUp, signal?: AbortSignal) => warmLocalInfill(value, request, signal),
  } as unknown as Engine;
  return { engine: value, prefills, infills };
}

let feed: ExtraContextFeed;
let privacy: WorkspacePrivacy;
let pipeline: CompletionPipeline;
/** The ignore files on the fake disk: absolute path → text. */
let ignoreFiles: Map<string, string>;
let switches: { completion: boolean; languages: Record<string, boolean>; extraContext: boolean };

function start() {
  const { engine: e } = engine();
  pipeline = new CompletionPipeline(e, () => ({ ...defaultCompletionSettings, extraContextChunks: switches.extraContext ? 8 : 0, speculative: false }));
  const isEnabled = (languageId: string) => switches.completion && (switches.languages[languageId] ?? true);
  privacy = new WorkspacePrivacy(new Config("/storage").watch(), (file) => ignoreFiles.get(file));
  feed = new ExtraContextFeed(pipeline, { isActive: isEnabled, isEnabled, extraContextEnabled: () => switches.extraContext, privacy, log: () => undefined });
}

/** What the ring would put in a prompt for another file, after the idle commit. */
function extraContext(): { filename: string; text: string }[] {
  pipeline.ring.commit();
  return pipeline.ring.chunksFor("elsewhere.ts");
}

async function idle() {
  await vi.advanceTimersByTimeAsync(1300);
}

beforeEach(() => {
  vi.useFakeTimers();
  fake.reset();
  fake.workspaceFolders = [workspace];
  switches = { completion: true, languages: {}, extraContext: true };
  ignoreFiles = new Map();
  start();
});
afterEach(() => {
  feed.dispose();
  privacy.dispose();
  vi.useRealTimers();
});

describe("extra-context feed", () => {
  it("offers chunks of the files the user works in (the control case)", async () => {
    fake.show(doc("src/math.ts", code("add")), 1);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["src/math.ts"]);
  });

  it("does not read the clipboard unless the user opted in", async () => {
    fake.clipboard = code("copied");
    const editor = fake.show(doc("src/main.ts", code("main")), 1);
    fake.type(editor.document, 2);
    await idle();
    expect(fake.clipboardReads).toBe(0);
    expect(extraContext().map((c) => c.filename)).not.toContain("clipboard");

    fake.settings.set("deepseekLocal.completion.extraContext.clipboard", true);
    fake.type(editor.document, 2);
    await idle();
    expect(fake.clipboardReads).toBe(1);
    expect(extraContext().map((c) => c.filename)).toContain("clipboard");
  });

  it("reads nothing, clipboard included, when completion, its language or extra context is off", async () => {
    fake.settings.set("deepseekLocal.completion.extraContext.clipboard", true);
    fake.clipboard = code("copied");
    switches.completion = false;
    fake.show(doc("src/a.ts", code("a")), 1);
    await idle();
    switches = { completion: true, languages: { markdown: false }, extraContext: true };
    fake.show(doc("notes.md", "# Notes\nthe launch code is 1234\nsecond line\nthird line\n", "markdown"), 1);
    await idle();
    switches = { completion: true, languages: {}, extraContext: false };
    fake.show(doc("src/b.ts", code("b")), 1);
    await idle();
    expect(fake.clipboardReads).toBe(0);
    expect(extraContext()).toEqual([]);
  });

  it("turning extra context off empties the prompt header at once", async () => {
    fake.show(doc("src/math.ts", code("add")), 1);
    await idle();
    expect(extraContext()).toHaveLength(1);
    switches.extraContext = false;
    expect(pipeline.ring.chunksFor("elsewhere.ts")).toEqual([]);
  });

  it("leaves out files that look like secrets, opened or saved, unless the user opted in", async () => {
    const env = doc(".env", "DATABASE_URL=postgres://app:hunter2@db/prod\nSESSION_SECRET=abcdef\nSTRIPE=on\nDEBUG=1\n", "dotenv");
    const key = doc("deploy/server.key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\nlots of base64 here\nand more of it\n", "plaintext");
    const gitConfig = doc(".git/config", "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://github.com/me/app\n", "properties");
    fake.show(env, 1);
    fake.type(env, 2);
    fake.events.save.fire(key);
    fake.show(gitConfig, 1);
    await idle();
    expect(extraContext()).toEqual([]);

    fake.settings.set("deepseekLocal.privacy.allowSecretFiles", true);
    fake.changeSettings("deepseekLocal.privacy.allowSecretFiles");
    fake.events.save.fire(key);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["deploy/server.key"]);
  });

  it("leaves out files hidden by files.exclude", async () => {
    fake.settings.set("files.exclude", { "**/generated": true, "**/*.tmp": false });
    fake.show(doc("generated/api.ts", "export interface Api {\n  get(path: string): Promise<Response>;\n  post(path: string, body: unknown): Promise<Response>;\n}\n"), 1);
    fake.show(doc("scratch.tmp", code("tmp"), "plaintext"), 1);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["scratch.tmp"]);
  });

  it("leaves out files git ignores, root and nested .gitignore, unless the user opted in", async () => {
    ignoreFiles.set(`${workspace}/.gitignore`, "build/\n*.local.ts\n");
    ignoreFiles.set(`${workspace}/packages/app/.gitignore`, "settings.ts\n");
    // Distinct texts: the ring keeps one of two similar chunks.
    const settings = doc("packages/app/settings.ts", "export const settings = {\n  region: 'eu-west-1',\n  bucket: 'app-assets',\n  retries: 3,\n};\n");
    fake.show(doc("build/config.ts", "export default {\n  outDir: 'dist',\n  minify: true,\n  target: 'es2022',\n};\n"), 1);
    fake.show(doc("src/keys.local.ts", "export const keys = {\n  maps: 'local-maps-key',\n  mail: 'local-mail-key',\n  chat: 'local-chat-key',\n};\n"), 1);
    fake.show(settings, 1);
    fake.show(doc("src/math.ts", code("add")), 1);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["src/math.ts"]);

    fake.settings.set("deepseekLocal.privacy.allowSecretFiles", true);
    fake.changeSettings("deepseekLocal.privacy.allowSecretFiles");
    fake.show(settings, 1);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["packages/app/settings.ts"]);
  });

  it("a change to a .gitignore is seen at once, and what it now ignores leaves the ring", async () => {
    const local = doc("config.local.ts", code("local"));
    fake.show(local, 1);
    await idle();
    expect(extraContext().map((c) => c.filename)).toEqual(["config.local.ts"]);

    ignoreFiles.set(`${workspace}/.gitignore`, "*.local.ts\n");
    fake.fileChanged(`${workspace}/.gitignore`);
    expect(pipeline.ring.chunksFor("elsewhere.ts")).toEqual([]);
    fake.events.save.fire(local);
    await idle();
    expect(extraContext()).toEqual([]);
  });
});
