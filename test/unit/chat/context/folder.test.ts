import { describe, expect, it } from "vitest";
import { folderContext, maxFolderFiles, type FolderFile } from "../../../../src/core/chat/context/folder.js";
import type { Attachment } from "../../../../src/core/chat/conversation.js";
import { defaultPrivacySettings, privatePathReason } from "../../../../src/core/privacy/secretPaths.js";

const privateReason = (path: string) => privatePathReason(path, defaultPrivacySettings);
const text = (path: string, lines: number): FolderFile => {
  const head = Array.from({ length: lines }, (_, i) => `// ${path} line ${i + 1}`).join("\n");
  return { path, bytes: head.length, head };
};

function attached(result: Attachment | string): Attachment {
  if (typeof result === "string") throw new Error(`expected an attachment, got: ${result}`);
  return result;
}

describe("@folder", () => {
  it("lists the files first, then each file's first lines; private files are named without contents, binary ones marked", () => {
    const env: FolderFile = { path: "app/.env", bytes: 20, head: "SECRET=hunter2" };
    const image: FolderFile = { path: "app/logo.png", bytes: 2048 };
    const result = attached(folderContext("app", [text("app/main.ts", 60), env, image], { privateReason }));
    expect(result.label).toBe("Folder app/ (3 files)");
    expect(result.text.startsWith("Files in app/ (3):\n- app/.env (20 B), private: contents left out\n- app/logo.png (2.0 KB), not text\n- app/main.ts")).toBe(true);
    expect(result.text).toContain("app/main.ts (first 40 lines):\n// app/main.ts line 1");
    expect(result.text).toContain("line 40");
    expect(result.text).not.toContain("line 41");
    expect(result.text).not.toContain("hunter2");
  });

  it("fits the budget: the list stays, the contents that do not fit are counted", () => {
    const files = Array.from({ length: 30 }, (_, i) => text(`lib/file${String(i).padStart(2, "0")}.ts`, 40));
    const result = attached(folderContext("lib", files, { privateReason, maxTokens: 1200 }));
    expect(result.tokens!).toBeLessThanOrEqual(1200 + 40);
    expect(result.text).toContain("- lib/file29.ts");
    const shown = (result.text.match(/^lib\/file\d+\.ts \(first|^lib\/file\d+\.ts:/gm) ?? []).length;
    expect(shown).toBeLessThan(30);
    expect(result.text).toContain(`(${30 - shown} more files' contents not shown: over the budget.)`);
  });

  it("lists at most maxFolderFiles names and says how many more there are", () => {
    const files = Array.from({ length: maxFolderFiles + 5 }, (_, i) => ({ path: `big/f${String(i).padStart(4, "0")}.txt`, bytes: 1, head: "x" }));
    const result = attached(folderContext("big", files, { privateReason, maxTokens: 100_000 }));
    expect(result.text).toContain("… and 5 more");
  });

  it("says so for an empty folder", () => {
    expect(folderContext("empty", [], { privateReason })).toMatch(/has no files/);
  });
});
