import { describe, expect, it } from "vitest";
import { changesContext } from "../../../../src/core/chat/context/changes.js";
import { privatePathReason, defaultPrivacySettings } from "../../../../src/core/privacy/secretPaths.js";
import { estimateTokens } from "../../../../src/core/chat/tokenEstimate.js";
import { renderAttachment, type Attachment } from "../../../../src/core/chat/conversation.js";

const privateReason = (path: string) => privatePathReason(path, defaultPrivacySettings);

function fileDiff(path: string, added: string[]): string {
  return [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -1,1 +1,${added.length + 1} @@`, " kept", ...added.map((line) => `+${line}`)].join("\n") + "\n";
}

function attached(result: Attachment | string): Attachment {
  if (typeof result === "string") throw new Error(`expected an attachment, got: ${result}`);
  return result;
}

describe("@changes", () => {
  it("attaches staged and unstaged diffs, each under its heading, with a token estimate", () => {
    const result = attached(changesContext({ staged: fileDiff("src/a.ts", ["const a = 1;"]), unstaged: fileDiff("src/b.ts", ["const b = 2;"]) }, { privateReason, repositoryName: "demo" }));
    expect(result.kind).toBe("changes");
    expect(result.label).toBe("Changes: 2 files in demo");
    expect(result.text.indexOf("Staged changes:")).toBeLessThan(result.text.indexOf("+const a = 1;"));
    expect(result.text.indexOf("Unstaged changes:")).toBeLessThan(result.text.indexOf("+const b = 2;"));
    expect(result.tokens).toBe(estimateTokens(result.text));
    expect(renderAttachment(result)).toMatch(/^Git Changes: 2 files in demo:\n```diff\n/);
  });

  it("names private files without their contents, and redacts secrets in the rest", () => {
    const result = attached(
      changesContext({ staged: fileDiff(".env", ["PASSWORD=hunter2"]) + fileDiff("src/c.ts", ['const k = "AKIAABCDEFGHIJKLMNOP";']), unstaged: "" }, { privateReason }),
    );
    expect(result.text).toContain("(.env: +1 −0, contents private, not shown)");
    expect(result.text).not.toContain("hunter2");
    expect(result.text).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(result.text).toContain("src/c.ts");
  });

  it("cuts a large diff to the budget, the small files kept whole", () => {
    const huge = fileDiff("package-lock.json", Array.from({ length: 2000 }, (_, i) => `"dep${i}": "1.0.${i}",`));
    const result = attached(changesContext({ staged: huge + fileDiff("src/small.ts", ["export const x = 1;"]), unstaged: "" }, { privateReason, maxTokens: 800 }));
    expect(result.tokens!).toBeLessThanOrEqual(800 + 100);
    expect(result.text).toContain("+export const x = 1;");
    expect(result.text).toMatch(/more lines of package-lock\.json cut/);
  });

  it("says why nothing is attached: no changes, or only private files", () => {
    expect(changesContext({ staged: "", unstaged: "" }, { privateReason })).toBe("There are no staged or unstaged changes.");
    expect(changesContext({ staged: "", unstaged: fileDiff(".env", ["A=1"]) }, { privateReason })).toMatch(/all private/);
  });
});
