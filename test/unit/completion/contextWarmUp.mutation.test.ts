// The warm-up's decision (contextWarmUp.ts): a prompt header is evaluated ahead of time only when the
// idle moment's commit changed it for the file being edited — a warm-up of an unchanged header is a
// wasted model run, a missed one makes the next keystroke pay for the whole header.
import { describe, expect, it } from "vitest";
import { commitExtraContext } from "../../../src/core/completion/contextWarmUp.js";
import { ExtraContextRing } from "../../../src/core/completion/extraContextRing.js";

const lines = (...code: string[]) => `${code.join("\n")}\n`;
const parse = lines("fn parse(s: &str) -> Ast {", "    let tokens = lex(s);", "    let tree = build(tokens);", "    check(&tree);", "    tree", "}");
const render = lines("fn render(ast: &Ast) -> String {", "    let mut out = String::new();", "    walk(ast, &mut out);", "    out", "}");
const ring = () => new ExtraContextRing(() => ({ maxChunks: 8, maxTokens: 2000 }));

describe("commitExtraContext", () => {
  it("returns the new header when a chunk from another file arrives", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    expect(commitExtraContext(r, "main.rs")).toEqual([{ filename: "parse.rs", text: parse }]);
  });

  it("returns the longer header when a chunk is added behind one already there", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    commitExtraContext(r, "main.rs");
    r.offer({ filename: "render.rs", text: render });
    expect(commitExtraContext(r, "main.rs")?.map((c) => c.filename)).toEqual(["parse.rs", "render.rs"]);
  });

  it("returns the header when a chunk's code was edited in the same file", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    commitExtraContext(r, "main.rs");
    // One line of six changed: alike enough to replace the old chunk, different enough to be offered.
    const edited = parse.replace("check(&tree);", "validate(&tree)?;");
    r.offer({ filename: "parse.rs", text: edited });
    expect(commitExtraContext(r, "main.rs")).toEqual([{ filename: "parse.rs", text: edited }]);
  });

  it("returns the header when the last of several chunks was edited (the others unchanged)", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    r.offer({ filename: "render.rs", text: render });
    commitExtraContext(r, "main.rs");
    const edited = render.replace("walk(ast, &mut out);", "walk_all(ast, &mut out);");
    r.offer({ filename: "render.rs", text: edited });
    expect(commitExtraContext(r, "main.rs")).toEqual([{ filename: "parse.rs", text: parse }, { filename: "render.rs", text: edited }]);
  });

  it("returns the header when the same code moved to another file", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    commitExtraContext(r, "main.rs");
    r.offer({ filename: "syntax.rs", text: parse });
    expect(commitExtraContext(r, "main.rs")).toEqual([{ filename: "syntax.rs", text: parse }]);
  });

  it("returns nothing when only the edited file's own chunks changed (its header is the same)", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    commitExtraContext(r, "main.rs");
    r.offer({ filename: "main.rs", text: render });
    expect(commitExtraContext(r, "main.rs")).toBeUndefined();
    expect(r.pending).toBe(0);
  });

  it("returns nothing with nothing queued", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    commitExtraContext(r, "main.rs");
    expect(commitExtraContext(r, "main.rs")).toBeUndefined();
  });

  it("commits without an editor but has no header to warm up", () => {
    const r = ring();
    r.offer({ filename: "parse.rs", text: parse });
    expect(commitExtraContext(r, undefined)).toBeUndefined();
    // The chunk is in the ring all the same: the next prompt anywhere gets it.
    expect(r.pending).toBe(0);
    expect(r.chunksFor("main.rs")).toEqual([{ filename: "parse.rs", text: parse }]);
  });
});
