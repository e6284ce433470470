// Chat Insert/Apply (src/vscode/chat/editorActions.ts) through a fake `vscode`: they change only
// writable files of the workspace (issue 19, item 12).
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { applyWithPreview, insertAtCursor } from "../../../src/vscode/chat/editorActions.js";
import { FakeDocument, Uri, fake } from "../../fixtures/fakeVscode.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

let base: string;
let workspace: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "chat-edits-"));
  workspace = path.join(base, "workspace");
  await mkdir(path.join(workspace, "src"), { recursive: true });
  await mkdir(path.join(base, "elsewhere"), { recursive: true });
  await writeFile(path.join(workspace, "src", "a.ts"), "const a = 1;\n");
  await writeFile(path.join(workspace, "src", "locked.ts"), "const locked = 1;\n");
  await chmod(path.join(workspace, "src", "locked.ts"), 0o444);
  await writeFile(path.join(base, "elsewhere", "b.ts"), "const b = 1;\n");
});
afterAll(() => rm(base, { recursive: true, force: true }));

beforeEach(() => {
  fake.reset();
  fake.workspaceFolders = [workspace];
});

const open = (file: string, text: string) => fake.show(new FakeDocument(Uri.file(file), text, "typescript"));

describe("chat Insert and Apply", () => {
  it("insert and apply change a writable workspace file (the control case)", async () => {
    const editor = open(path.join(workspace, "src", "a.ts"), "const a = 1;\n");
    await insertAtCursor("// inserted\n");
    expect(editor.document.text).toBe("// inserted\nconst a = 1;\n");
    fake.nextChoice = "Apply";
    expect(await applyWithPreview("const a = 2;\n")).toBe(true);
    expect(fake.appliedEdits).toHaveLength(1);
  });

  it("refuse a file outside the workspace", async () => {
    const editor = open(path.join(base, "elsewhere", "b.ts"), "const b = 1;\n");
    await expect(insertAtCursor("// inserted\n")).rejects.toThrow(/not in the workspace/);
    fake.nextChoice = "Apply";
    await expect(applyWithPreview("const b = 2;\n")).rejects.toThrow(/not in the workspace/);
    expect(editor.document.text).toBe("const b = 1;\n");
    expect(fake.appliedEdits).toEqual([]);
  });

  it("refuse a read-only file: no write permission, or a read-only file system entry", async () => {
    const locked = open(path.join(workspace, "src", "locked.ts"), "const locked = 1;\n");
    await expect(insertAtCursor("// inserted\n")).rejects.toThrow(/read-only/);
    expect(locked.document.text).toBe("const locked = 1;\n");
    fake.readonlyFiles.add(path.join(workspace, "src", "a.ts"));
    open(path.join(workspace, "src", "a.ts"), "const a = 1;\n");
    fake.nextChoice = "Apply";
    await expect(applyWithPreview("const a = 2;\n")).rejects.toThrow(/read-only/);
    expect(fake.appliedEdits).toEqual([]);
  });

  it("insert into a new untitled editor", async () => {
    const editor = fake.show(new FakeDocument(Uri.from({ scheme: "untitled", path: "Untitled-1" }), ""));
    await insertAtCursor("print(1)\n");
    expect(editor.document.text).toBe("print(1)\n");
  });
});
