import { describe, expect, it } from "vitest";
import { buildCommitPrompt } from "../../../src/core/commitMessage/commitPrompt.js";
import { cleanCommitMessage } from "../../../src/core/commitMessage/cleanCommitMessage.js";
import { detectCommitStyle, subjectsOf } from "../../../src/core/commitMessage/commitStyle.js";
import { budgetDiff, splitUnifiedDiff } from "../../../src/core/commitMessage/diffBudget.js";
import { privatePathReason, defaultPrivacySettings } from "../../../src/core/privacy/secretPaths.js";

function fileDiff(path: string, added: string[]): string {
  return [
    `diff --git a/${path} b/${path}`,
    "index 1111111..2222222 100644",
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -1,1 +1,${added.length + 1} @@`,
    " unchanged line",
    ...added.map((line) => `+${line}`),
  ].join("\n");
}

const secretValue = "API_KEY=sk-live-0123456789abcdef";
const privateReason = (path: string) => privatePathReason(path, defaultPrivacySettings);
const conventionalHistory = ["feat(chat): attach problems", "fix(engine): restart after a crash", "docs: explain the cache", "refactor(core): one command table", "Merge branch 'main' into dev"];
const plainHistory = ["Add the status menu", "Fix ghost text after undo", "Explain the cache in the README"];

describe("splitUnifiedDiff", () => {
  it("splits per file, with paths and line counts, including deleted and quoted paths", () => {
    const deleted = "diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two";
    const quoted = 'diff --git "a/caf\\303\\251.md" "b/caf\\303\\251.md"\n--- "a/caf\\303\\251.md"\n+++ "b/caf\\303\\251.md"\n@@ -0,0 +1 @@\n+x';
    const files = splitUnifiedDiff(`${fileDiff("src/a.ts", ["x", "y"])}\n${deleted}\n${quoted}\n`);
    expect(files.map((file) => [file.path, file.added, file.removed])).toEqual([
      ["src/a.ts", 2, 0],
      ["old.txt", 0, 2],
      ["café.md", 1, 0],
    ]);
  });
});

describe("budgetDiff", () => {
  const big = fileDiff("src/generated.ts", Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i * 7919};`));
  const small = fileDiff("src/small.ts", ["export const answer = 42;"]);
  const middle = fileDiff("src/middle.ts", Array.from({ length: 30 }, (_, i) => `line ${i}`));

  it("cuts a big diff per file: small files stay whole, the big one is cut, every file is named in the prompt", () => {
    const files = splitUnifiedDiff([big, small, middle].join("\n"));
    const budgeted = budgetDiff(files, { maxTokens: 1500, privateReason });
    expect(budgeted.shown.map((file) => file.path)).toEqual(["src/generated.ts", "src/small.ts", "src/middle.ts"]);
    expect(budgeted.shown[1]!.cutLines).toBe(0);
    expect(budgeted.shown[2]!.cutLines).toBe(0);
    expect(budgeted.shown[0]!.cutLines).toBeGreaterThan(1500);
    expect(budgeted.shown[0]!.text.startsWith("diff --git a/src/generated.ts")).toBe(true);
    const prompt = buildCommitPrompt({ diff: budgeted, style: detectCommitStyle([]), source: "staged" }).map((m) => m.content).join("\n");
    for (const path of ["src/generated.ts", "src/small.ts", "src/middle.ts"]) expect(prompt).toContain(`- ${path} (`);
    expect(prompt).toMatch(/src\/generated\.ts \(\+2000 -0\): diff cut, \d+ lines left out/);
    expect(prompt).toContain("export const answer = 42;");
  });

  it("names files whose share is too small to show anything", () => {
    const many = Array.from({ length: 40 }, (_, i) => fileDiff(`src/f${i}.ts`, Array.from({ length: 50 }, (_, j) => `const v${j} = ${j};`)));
    const budgeted = budgetDiff(splitUnifiedDiff(many.join("\n")), { maxTokens: 300, privateReason });
    expect(budgeted.namedOnly.length).toBeGreaterThan(0);
    expect(budgeted.shown.length + budgeted.namedOnly.length).toBe(40);
    const prompt = buildCommitPrompt({ diff: budgeted, style: detectCommitStyle([]), source: "staged" })[1]!.content;
    for (let i = 0; i < 40; i++) expect(prompt).toContain(`- src/f${i}.ts (`);
  });

  it("keeps a .env or secret file's diff out of the prompt, naming the file only", () => {
    const diff = [fileDiff(".env", [secretValue]), fileDiff("config/secrets.yaml", ["token: hunter2"]), fileDiff("src/app.ts", ["run();"])].join("\n");
    const budgeted = budgetDiff(splitUnifiedDiff(diff), { maxTokens: 4000, privateReason });
    expect(budgeted.privateFiles.map((file) => file.path)).toEqual([".env", "config/secrets.yaml"]);
    const prompt = buildCommitPrompt({ diff: budgeted, style: detectCommitStyle([]), source: "staged" }).map((m) => m.content).join("\n");
    expect(prompt).not.toContain("sk-live");
    expect(prompt).not.toContain("hunter2");
    expect(prompt).toContain("- .env (+1 -0): contents private, not shown");
    expect(prompt).toContain("run();");
  });

  it("keeps git-ignored files out through the privacy settings' ignore rules", () => {
    const ignoredFiles = { isIgnored: (_root: string, path: string) => path === "local.config.json" };
    const settings = { ...defaultPrivacySettings, ignoredFiles };
    const diff = [fileDiff("local.config.json", ['{"password": "p4ss"}']), fileDiff("src/app.ts", ["run();"])].join("\n");
    const budgeted = budgetDiff(splitUnifiedDiff(diff), { maxTokens: 4000, privateReason: (path) => privatePathReason(path, settings, { root: "/repo" }) });
    expect(budgeted.privateFiles.map((file) => [file.path, file.reason])).toEqual([["local.config.json", "a file git ignores (.gitignore)"]]);
    expect(budgeted.shown.map((file) => file.text).join("\n")).not.toContain("p4ss");
  });
});

describe("detectCommitStyle", () => {
  it("finds conventional commits, their types and scopes, and leaves merges out of the examples", () => {
    const style = detectCommitStyle(subjectsOf(conventionalHistory.map((subject) => `${subject}\n\nbody text`)));
    expect(style.conventional).toBe(true);
    expect(style.types).toEqual(expect.arrayContaining(["feat", "fix", "docs", "refactor"]));
    expect(style.scoped).toBe(true);
    expect(style.capitalized).toBe(false);
    expect(style.examples).not.toContain("Merge branch 'main' into dev");
    const prompt = buildCommitPrompt({ diff: { shown: [], namedOnly: [], privateFiles: [] }, style, source: "unstaged" })[1]!.content;
    expect(prompt).toContain("Conventional Commits");
    expect(prompt).toContain("- fix(engine): restart after a crash");
    expect(prompt).toContain("nothing is staged");
  });

  it("finds a plain, capitalised history", () => {
    const style = detectCommitStyle(plainHistory);
    expect(style.conventional).toBe(false);
    expect(style.capitalized).toBe(true);
    expect(style.endsWithPeriod).toBe(false);
    expect(style.typicalLength).toBe([...plainHistory].map((s) => s.length).sort((a, b) => a - b)[1]);
    const prompt = buildCommitPrompt({ diff: { shown: [], namedOnly: [], privateFiles: [] }, style, source: "staged" })[1]!.content;
    expect(prompt).toContain("no `type:` prefix");
    expect(prompt).not.toContain("Conventional Commits");
  });
});

describe("cleanCommitMessage", () => {
  const conventional = detectCommitStyle(conventionalHistory);
  const plain = detectCommitStyle(plainHistory);

  it("drops a preamble and code fences", () => {
    const answer = "Here is a commit message for your changes:\n\n```\nfeat(chat): attach problems to a message\n\nLists diagnostics as a chip.\n```\nLet me know if you want changes.";
    expect(cleanCommitMessage(answer, conventional)).toBe("feat(chat): attach problems to a message\n\nLists diagnostics as a chip.");
  });

  it("drops labels and quotes around the subject, and extra blank lines", () => {
    expect(cleanCommitMessage('Sure!\nCommit message: "Fix the cache size"\n\n\n\nBody line.\n', plain)).toBe("Fix the cache size\n\nBody line.");
  });

  it("cuts a conventional subject to 72 characters at a word boundary", () => {
    const long = "feat(engine): " + "make the engine restart much faster after a crash ".repeat(3);
    const subject = cleanCommitMessage(long, conventional).split("\n")[0]!;
    expect(subject.length).toBeLessThanOrEqual(72);
    expect(long.startsWith(subject)).toBe(true);
    expect(subject.endsWith(" ")).toBe(false);
  });

  it("gives nothing for an answer of only preamble or whitespace", () => {
    expect(cleanCommitMessage("  \n```\n```\n", plain)).toBe("");
  });
});
