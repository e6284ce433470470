// Fault suite, secrets (issue 19, items 6 and 7): secrets planted in the clipboard, a .env, a private
// key, a git remote URL, a source file and files git ignores (root and nested .gitignore) must reach
// no completion extra context, no chat tool result, no prompt built for the model (local or remote)
// and no saved chat history.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Engine, InfillRequest, InfillWarmUp, PrefillRequest } from "../../src/core/engine/engine.js";
import { warmLocalInfill } from "../../src/backends/local/localInfill.js";
import { ChatSession } from "../../src/core/chat/chatSession.js";
import { ConversationStore } from "../../src/core/chat/conversationStore.js";
import { CompletionPipeline, defaultCompletionSettings } from "../../src/core/completion/completionPipeline.js";
import { ExtraContextFeed } from "../../src/vscode/completion/extraContextFeed.js";
import { DeepSeekInlineCompletionProvider } from "../../src/vscode/completion/inlineProvider.js";
import { Config } from "../../src/vscode/config.js";
import { WorkspacePrivacy } from "../../src/vscode/workspacePrivacy.js";
import { FakeDocument, Position, Uri, fake } from "../fixtures/fakeVscode.js";
import { scriptedEngine } from "../unit/chat/scriptedEngine.js";

vi.mock("vscode", async () => (await import("../fixtures/fakeVscode.js")).vscode);

const secrets = {
  awsKey: "AKIAQWERTYUIOPASDFGH",
  dbPassword: "pw-Zq8Lm3Tx9Rv2",
  keyBody: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  gitToken: "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngAbCdEf1234",
  openaiKey: "sk-proj-9f8e7d6c5b4a39281716151413121110",
  npmToken: "npm_abcdefghijklmnopqrstuvwxyz0123456789",
  clipboardToken: "xoxb-918273645-ClipboardSlackToken",
  // Shapeless passwords in files only .gitignore marks as private.
  ignoredDbPassword: "Lc4l-Db-Pa55-7Qx",
  nestedIgnoredPassword: "N3st3d-Ign0r3d-Pw",
};
const planted = Object.values(secrets);

/** The planted secrets found in `value` (any JSON-able thing). */
function leaked(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return planted.filter((secret) => text.includes(secret));
}

const files: Record<string, string> = {
  ".env": `AWS_ACCESS_KEY_ID=${secrets.awsKey}\nDB_PASSWORD=${secrets.dbPassword}\nDEBUG=false\nPORT=8080\n`,
  ".env.production.local": `DB_PASSWORD=${secrets.dbPassword}\nPORT=80\nHOST=0.0.0.0\nMODE=prod\n`,
  "deploy/id_rsa": `-----BEGIN OPENSSH PRIVATE KEY-----\n${secrets.keyBody}\n${secrets.keyBody}\n-----END OPENSSH PRIVATE KEY-----\n`,
  "deploy/tls.key": `-----BEGIN PRIVATE KEY-----\n${secrets.keyBody}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n`,
  ".git/config": `[core]\n\tbare = false\n[remote "origin"]\n\turl = https://me:${secrets.gitToken}@github.com/me/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
  ".npmrc": `//registry.npmjs.org/:_authToken=${secrets.npmToken}\nsave-exact=true\nfund=false\n`,
  // An ordinary source file with a key pasted into it: the file may be read, the key may not.
  "src/client.ts": `import OpenAI from "openai";\n\nexport const client = new OpenAI({\n  apiKey: "${secrets.openaiKey}",\n  baseURL: "https://api.example.com",\n});\n`,
  // Local configs git ignores (root .gitignore, and a nested one): names that look like nothing secret.
  ".gitignore": "node_modules/\nbuild/config.local.json\n",
  "build/config.local.json": `{\n  "database": {\n    "user": "app",\n    "password": "${secrets.ignoredDbPassword}"\n  }\n}\n`,
  "services/api/.gitignore": "*.local.yaml\n",
  "services/api/settings.local.yaml": `database:\n  user: api\n  password: ${secrets.nestedIgnoredPassword}\n  port: 5432\n`,
  "src/util.ts": "export function sum(values: number[]): number {\n  let total = 0;\n  for (const value of values) total += value;\n  return total;\n}\n",
  "src/main.ts": "import { client } from \"./client\";\n\nexport async function main() {\n  const answer = await client.chat();\n  return answer;\n}\n",
};

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), "faults-secrets-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
    await writeFile(path.join(workspace, name), text);
  }
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

describe("secrets vs completion's extra context", () => {
  const prefills: PrefillRequest[] = [];
  const infills: InfillRequest[] = [];
  let feed: ExtraContextFeed;
  let privacy: WorkspacePrivacy;
  let pipeline: CompletionPipeline;
  const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 1, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };

  beforeEach(() => {
    vi.useFakeTimers();
    fake.reset();
    fake.workspaceFolders = [workspace];
    prefills.splice(0);
    infills.splice(0);
    const engine = {
      kind: "local",
      prefill: async (request: PrefillRequest) => (prefills.push(structuredClone(request)), metrics),
      infill: async (request: InfillRequest) => (infills.push(structuredClone(request)), { text: "x", stopReason: "eos", metrics }),
      // The local backend's own warm-up, so what it would evaluate reaches `prefills`.
      warmUp: (request: InfillWarmUp, signal?: AbortSignal) => warmLocalInfill(engine, request, signal),
    } as unknown as Engine;
    pipeline = new CompletionPipeline(engine, () => ({ ...defaultCompletionSettings, speculative: false }));
    // As the extension wires it: settings through Config, .gitignore files read from the disk.
    privacy = new WorkspacePrivacy(new Config("/storage").watch());
    feed = new ExtraContextFeed(pipeline, { isActive: () => true, isEnabled: () => true, extraContextEnabled: () => true, privacy, log: () => undefined });
  });
  afterEach(() => {
    feed.dispose();
    privacy.dispose();
    vi.useRealTimers();
  });

  const document = (name: string) => new FakeDocument(Uri.file(path.join(workspace, name)), files[name]!, name.endsWith(".ts") ? "typescript" : "plaintext");

  async function workThroughEverything(): Promise<void> {
    // The user opens, edits and saves each file, copies text, then goes idle in main.ts.
    for (const name of Object.keys(files)) {
      const doc = document(name);
      fake.show(doc, 1);
      fake.type(doc, 1);
      fake.events.save.fire(doc);
      await vi.advanceTimersByTimeAsync(1300);
    }
    const main = document("src/main.ts");
    const editor = fake.show(main, 3);
    fake.type(main, 3);
    await vi.advanceTimersByTimeAsync(1300);
    // A completion request in main.ts: the prompt that would go to the engine or a remote server.
    const cursor = main.offsetAt(editor.selection.active);
    await pipeline.complete({ documentId: main.uri.toString(), filename: "src/main.ts", text: main.text, offset: cursor, explicit: true }, new AbortController().signal);
  }

  /** Nothing planted is in the extra context, the warm-up prompts or the completion requests. */
  function expectNoLeaks(): void {
    pipeline.ring.commit();
    expect(leaked(pipeline.ring.chunksFor("src/main.ts"))).toEqual([]);
    expect(leaked(prefills)).toEqual([]);
    expect(leaked(infills)).toEqual([]);
  }

  it("a secret on the clipboard is not read by default", async () => {
    fake.clipboard = `const slack = "${secrets.clipboardToken}";\nconst a = 1;\nconst b = 2;\nconst c = 3;\n`;
    await workThroughEverything();
    expect(fake.clipboardReads).toBe(0);
    expectNoLeaks();
    // The control: the feed did work — other files' code is in the prompt.
    expect(infills.at(-1)!.extraContext!.map((c) => c.filename)).toContain("src/util.ts");
  });

  it("with the clipboard opted in, a copied key or token is still dropped", async () => {
    fake.settings.set("deepseekLocal.completion.extraContext.clipboard", true);
    fake.clipboard = `const slack = "${secrets.clipboardToken}";\nconst a = 1;\nconst b = 2;\nconst c = 3;\n`;
    await workThroughEverything();
    expect(fake.clipboardReads).toBeGreaterThan(0);
    expectNoLeaks();
  });

  it("no prompt is built from a secret file itself: no completion, no warm-up", async () => {
    const provider = new DeepSeekInlineCompletionProvider(pipeline, { isActive: () => true, privacy: () => privacy.settings(), onOutcome: () => undefined, onError: () => undefined, trace: () => undefined });
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) };
    for (const name of [".env", "deploy/id_rsa", ".npmrc", ".git/config", "build/config.local.json", "services/api/settings.local.yaml"]) {
      const doc = document(name);
      fake.show(doc, 1);
      fake.type(doc, 1);
      await vi.advanceTimersByTimeAsync(1300);
      const explicit = { triggerKind: 0, selectedCompletionInfo: undefined };
      await provider.provideInlineCompletionItems(doc as never, new Position(1, 4) as never, explicit as never, token as never);
    }
    expect(infills).toEqual([]);
    expect(prefills).toEqual([]);
  });

  it("a secret in a file git ignores stays out of the extra context", async () => {
    await workThroughEverything();
    expectNoLeaks();
    const filenames = infills.at(-1)!.extraContext!.map((c) => c.filename);
    expect(filenames).not.toContain("build/config.local.json");
    expect(filenames).not.toContain("services/api/settings.local.yaml");
    // The control: other files' code is in the prompt.
    expect(filenames).toContain("src/util.ts");
  });
});

describe("secrets vs the chat's tools, prompts and history", () => {
  let history: string;
  beforeEach(async () => {
    history = await mkdtemp(path.join(os.tmpdir(), "faults-secrets-history-"));
  });
  afterEach(() => rm(history, { recursive: true, force: true }));

  const call = (id: string, name: string, args: unknown) => ({ id, name, arguments: JSON.stringify(args) });

  /**
   * One chat turn whose model makes the scripted tool calls, the session wired as registerChat does
   * (privacy settings through Config, .gitignore rules read from the workspace): no tool result,
   * request or saved conversation may carry a planted secret. Returns the tool results.
   */
  async function toolTurn(script: Parameters<typeof scriptedEngine>[0], question: string) {
    const { engine, requests } = scriptedEngine(script, 32_768);
    const privacy = new WorkspacePrivacy(new Config("/storage").watch());
    const chat = new ChatSession({
      engine,
      store: new ConversationStore(history),
      settings: () => ({ systemPrompt: "", maxTokens: 256, tools: true }),
      workspaceFolders: () => [workspace],
      currentId: { get: () => undefined, set: async () => undefined },
      post: () => undefined,
      log: () => undefined,
      privacy: () => privacy.settings(),
    });
    try {
      await chat.send(question);
    } finally {
      privacy.dispose();
    }
    const toolEntries = chat.current.entries.filter((entry) => entry.role === "tool");
    for (const entry of toolEntries) expect(leaked(entry.content), `${entry.toolName}: ${entry.content}`).toEqual([]);
    expect(leaked(requests)).toEqual([]);
    const saved = await Promise.all((await readdir(history)).map((name) => readFile(path.join(history, name), "utf8")));
    expect(saved.length).toBeGreaterThan(0);
    expect(leaked(saved)).toEqual([]);
    return toolEntries;
  }

  it("no tool result, prompt or saved conversation carries a planted secret", async () => {
    const toolEntries = await toolTurn(
      [
        {
          toolCalls: [
            call("a", "read_file", { path: ".env" }),
            call("b", "read_file", { path: "deploy/id_rsa" }),
            call("c", "read_file", { path: ".git/config" }),
            call("d", "read_file", { path: path.join(workspace, ".npmrc") }),
            call("e", "read_file", { path: "deploy/../.env.production.local" }),
          ],
        },
        {
          toolCalls: [
            call("f", "search_text", { query: "password" }),
            call("g", "search_text", { query: secrets.awsKey.slice(0, 8) }),
            call("h", "search_text", { query: "apiKey" }),
            call("i", "read_file", { path: "src/client.ts" }),
          ],
        },
        { toolCalls: [call("j", "list_folder", { path: "." }), call("k", "list_folder", { path: ".git" }), call("l", "search_text", { query: "BEGIN" })] },
        { chunks: ["I could not read the private files."] },
      ],
      "what are the deployment credentials?",
    );
    expect(toolEntries).toHaveLength(12);
    // The model is told why, so it stops asking.
    expect(toolEntries.slice(0, 5).every((entry) => entry.content.includes("is private"))).toBe(true);
    // The readable file is read, its pasted key redacted.
    expect(toolEntries[8]!.content).toContain("baseURL");
  });

  it("files git ignores (root and nested .gitignore) are refused, marked and not searched", async () => {
    const toolEntries = await toolTurn(
      [
        {
          toolCalls: [
            call("a", "read_file", { path: "build/config.local.json" }),
            call("b", "read_file", { path: "services/api/settings.local.yaml" }),
            call("c", "read_file", { path: "services/./api/../api/settings.local.yaml" }),
          ],
        },
        {
          toolCalls: [
            call("d", "list_folder", { path: "build" }),
            call("e", "list_folder", { path: "services/api" }),
            call("f", "search_text", { query: "password" }),
            call("g", "search_text", { query: secrets.nestedIgnoredPassword.slice(0, 8) }),
          ],
        },
        { chunks: ["Those files are private."] },
      ],
      "what is the database password?",
    );
    expect(toolEntries).toHaveLength(7);
    for (const entry of toolEntries.slice(0, 3)) expect(entry.content).toMatch(/is private \(a file git ignores/);
    expect(toolEntries[3]!.content).toContain("config.local.json (private: not readable)");
    expect(toolEntries[4]!.content).toContain("settings.local.yaml (private: not readable)");
    expect(toolEntries[5]!.content).not.toContain("settings.local.yaml");
  });
});
