// Mutation tests for the chat's workspace tools (docs/mutation.md): the edges StrykerJS showed the
// other workspaceTools tests do not pin — exact refusal messages, the tool schemas, nested and
// several workspace folders, new paths to write, cuts in the middle of a character, listing and
// search limits, entries a file system reports oddly, and the file handle readHead opens.
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ToolError,
  WorkspaceTools,
  defaultToolLimits,
  nodeToolFileSystem,
  workspaceToolDefinitions,
  type ToolFileSystem,
  type ToolLimits,
} from "../../../src/core/chat/workspaceTools.js";

let base: string;
let ws: string;
let realWs: string;
let app: string;
let lib: string;
let outer: string;
let inner: string;

const write = async (file: string, content: string | Uint8Array) => {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
};

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "chat-tools-mut-"));
  ws = path.join(base, "ws");
  await write(path.join(ws, "src", "a.ts"), "export const a = 1;\n");
  await write(path.join(ws, "ws", "f.txt"), "the nested one\n");
  await write(path.join(ws, "f.txt"), "the top one\n");
  await write(path.join(ws, "short.txt"), "hello");
  await write(path.join(ws, "ends-fffd.txt"), "text\uFFFD");
  await mkdir(path.join(ws, "empty"), { recursive: true });
  await mkdir(path.join(base, "elsewhere"), { recursive: true });
  await symlink(path.join(base, "elsewhere"), path.join(ws, "linked-out"));
  realWs = await nodeToolFileSystem.realpath(ws);

  app = path.join(base, "multi", "app");
  lib = path.join(base, "multi", "lib");
  await write(path.join(app, "src", "only-app.txt"), "app content\n");
  await write(path.join(lib, "src", "util.ts"), "export const util = 1;\n");

  outer = path.join(base, "nest", "outer");
  inner = path.join(outer, "pkg");
  await write(path.join(inner, "a.txt"), "inner file\n");
});

afterAll(() => rm(base, { recursive: true, force: true }));

/** A copy of node's file system with some calls replaced. */
const fsWith = (overrides: Partial<ToolFileSystem>): ToolFileSystem => ({ ...nodeToolFileSystem, ...overrides });
const limits = (overrides: Partial<ToolLimits>): ToolLimits => ({ ...defaultToolLimits, ...overrides });
const run = (tools: WorkspaceTools, name: string, args: unknown) => tools.run({ id: "1", name, arguments: JSON.stringify(args) });

describe("readHead: only the bytes asked for, and the file is closed", () => {
  it("returns a short file whole, a longer one cut, and nothing for 0 or a negative size", async () => {
    const file = path.join(ws, "short.txt");
    expect(Buffer.from(await nodeToolFileSystem.readHead(file, 100)).toString()).toBe("hello");
    expect(Buffer.from(await nodeToolFileSystem.readHead(file, 5)).toString()).toBe("hello");
    expect(Buffer.from(await nodeToolFileSystem.readHead(file, 3)).toString()).toBe("hel");
    expect((await nodeToolFileSystem.readHead(file, 0)).length).toBe(0);
    expect((await nodeToolFileSystem.readHead(file, -4)).length).toBe(0);
  });

  it("reads a large file's head exactly", async () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 32 + (i % 90);
    const file = path.join(base, "large.bin");
    await writeFile(file, bytes);
    const head = await nodeToolFileSystem.readHead(file, 250_001);
    expect(head.length).toBe(250_001);
    expect(Buffer.from(head).equals(bytes.subarray(0, 250_001))).toBe(true);
  });

  it("closes the file it opened", async () => {
    const openFiles = () => readdirSync("/proc/self/fd").length;
    const file = path.join(ws, "short.txt");
    await nodeToolFileSystem.readHead(file, 10);
    const before = openFiles();
    for (let i = 0; i < 100; i++) await nodeToolFileSystem.readHead(file, 10);
    // A leak keeps all 100 open; the margin is for other work in this process.
    expect(openFiles() - before).toBeLessThan(50);
  });
});

describe("the tools as the model sees them", () => {
  it("offers read_file, list_folder and search_text, each described", () => {
    expect(workspaceToolDefinitions.map((tool) => tool.name)).toEqual(["read_file", "list_folder", "search_text"]);
    const [read, list, search] = workspaceToolDefinitions;
    expect(read!.description).toMatch(/relative to the workspace folder.*start with the folder's name/);
    expect(list!.description).toMatch(/"\." is the workspace root/);
    expect(search!.description).toMatch(/case-insensitive/);
  });

  it("ToolError is an Error named ToolError", () => {
    const error = new ToolError("refused");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ToolError");
    expect(error.message).toBe("refused");
  });

  it("refuses arguments that do not fit each tool's schema, before touching a file", async () => {
    const tools = new WorkspaceTools([ws]);
    const invalid = [
      ["read_file", {}],
      ["read_file", { path: 5 }],
      ["read_file", { path: "" }],
      ["read_file", { path: "x".repeat(241) }],
      ["read_file", { path: "short.txt", extra: true }],
      ["read_file", "short.txt"],
      ["list_folder", {}],
      ["list_folder", { path: 5 }],
      ["list_folder", { path: ".", extra: true }],
      ["list_folder", "."],
      ["search_text", {}],
      ["search_text", { query: "a" }],
      ["search_text", { query: 12 }],
      ["search_text", { query: "hello", extra: true }],
      ["search_text", "hello"],
    ] as const;
    for (const [name, args] of invalid) {
      const result = await run(tools, name, args);
      expect(result.ok, `${name} ${JSON.stringify(args)}`).toBe(false);
      expect(result.content, `${name} ${JSON.stringify(args)}`).toMatch(/^Invalid arguments: /);
    }
  });

  it("answers unknown tools and broken JSON with exact messages", async () => {
    const tools = new WorkspaceTools([ws]);
    expect(await run(tools, "delete_file", { path: "a" })).toEqual({ ok: false, content: "Unknown tool delete_file." });
    expect(await tools.run({ id: "1", name: "read_file", arguments: "{" })).toEqual({ ok: false, content: "The tool arguments are not valid JSON." });
  });

  it("runs each tool by its name", async () => {
    const tools = new WorkspaceTools([ws]);
    expect(await run(tools, "read_file", { path: "short.txt" })).toEqual({ ok: true, content: "hello" });
    expect(await run(tools, "list_folder", { path: "src" })).toEqual({ ok: true, content: "a.ts" });
    expect(await run(tools, "search_text", { query: "the nested" })).toEqual({ ok: true, content: "ws/f.txt:1: the nested one" });
  });

  it("gives a refusal's own message, and names any other failure as one", async () => {
    const tools = new WorkspaceTools([ws]);
    expect(await run(tools, "read_file", { path: "nope.ts" })).toEqual({ ok: false, content: "nope.ts does not exist." });
    const broken = new WorkspaceTools(
      [ws],
      fsWith({
        stat: async () => {
          throw new Error("disk gone");
        },
      }),
    );
    expect(await run(broken, "read_file", { path: "short.txt" })).toEqual({ ok: false, content: "The tool failed: disk gone" });
  });
});

describe("which paths are inside", () => {
  it("refuses an empty path or one with a NUL byte as invalid", async () => {
    const tools = new WorkspaceTools([ws]);
    await expect(tools.readFile("")).rejects.toThrow("The path is empty or invalid.");
    await expect(tools.readFile("short.txt\0.png")).rejects.toThrow("The path is empty or invalid.");
  });

  it("refuses the folder above the workspace and paths through it, existing or not", async () => {
    const tools = new WorkspaceTools([ws]);
    await expect(tools.listFolder("..")).rejects.toThrow(".. is outside the workspace.");
    await expect(tools.readFile("..")).rejects.toThrow(".. is outside the workspace.");
    await expect(tools.readFile("../missing.txt")).rejects.toThrow("../missing.txt is outside the workspace.");
    await expect(tools.readFile(path.join(base, "missing.txt"))).rejects.toThrow(`${path.join(base, "missing.txt")} is outside the workspace.`);
  });

  it("with one folder, a first segment named like the folder is a sub-folder", async () => {
    expect(await new WorkspaceTools([ws]).readFile("ws/f.txt")).toBe("the nested one\n");
    expect(await new WorkspaceTools([ws]).readFile("f.txt")).toBe("the top one\n");
  });

  it("with several folders, a path that names none starts in the first", async () => {
    const tools = new WorkspaceTools([app, lib]);
    expect(await tools.readFile("src/only-app.txt")).toBe("app content\n");
    expect(await tools.readFile("app/src/only-app.txt")).toBe("app content\n");
    expect(await tools.readFile("lib/src/util.ts")).toBe("export const util = 1;\n");
    await expect(tools.readFile("lib/src/only-app.txt")).rejects.toThrow(/does not exist/);
  });

  it("with several folders, a backslash also ends the folder's name", async () => {
    const tools = new WorkspaceTools([app, lib]);
    // "lib\x.ts" starts in lib's parent: on POSIX that is one odd name beside the folders, outside both.
    if (path.sep === "/") await expect(tools.readFile("lib\\x.ts")).rejects.toThrow("lib\\x.ts is outside the workspace.");
    else await expect(tools.readFile("lib\\x.ts")).rejects.toThrow(/does not exist/);
  });

  it("with nested folders, a path belongs to the deepest, in either order", async () => {
    const file = path.join(inner, "a.txt");
    for (const roots of [
      [outer, inner],
      [inner, outer],
    ]) {
      const tools = new WorkspaceTools(roots);
      const target = await tools.resolveForWrite(file);
      expect(target.shown, roots.join(" ")).toBe("pkg/a.txt");
      expect((await tools.resolve(file)).rootIndex).toBe(roots.indexOf(inner));
      expect((await tools.resolve(path.join(outer, "pkg"))).rootIndex).toBe(roots.indexOf(inner));
    }
    const tools = new WorkspaceTools([outer, inner]);
    expect((await tools.resolveForWrite(path.join(outer, "new.txt"))).shown).toBe("outer/new.txt");
  });
});

describe("each refusal, by its exact message", () => {
  it("no folder, a link out, a link to a private file, a binary file, a file listed as a folder", async () => {
    await expect(new WorkspaceTools([]).listFolder(".")).rejects.toThrow("No folder is open, so there is no workspace to read.");
    const folder = path.join(base, "refusals");
    await write(path.join(folder, ".env"), "TOKEN=x\n");
    await write(path.join(folder, "data.bin"), Buffer.from([104, 105, 0, 33]));
    await write(path.join(folder, "plain.txt"), "plain\n");
    await symlink(path.join(folder, ".env"), path.join(folder, "env-link.txt"));
    await symlink(path.join(base, "elsewhere"), path.join(folder, "out"));
    const tools = new WorkspaceTools([folder]);
    await expect(tools.readFile("out")).rejects.toThrow("out leads outside the workspace (a symbolic link).");
    await expect(tools.readFile("env-link.txt")).rejects.toThrow(/^env-link\.txt is private \(an environment file\)/);
    await expect(tools.readFile("data.bin")).rejects.toThrow("data.bin is a binary file.");
    await expect(tools.listFolder("plain.txt")).rejects.toThrow("plain.txt is not a folder.");
    expect(await tools.readFile("plain.txt")).toBe("plain\n");
    expect(await tools.searchText("TOKEN")).toBe('No line contains "TOKEN".');
  });

  it("marks a folder git ignores in a listing, not a file of the same name with a folder rule", async () => {
    const folder = path.join(base, "ignoring");
    await write(path.join(folder, ".gitignore"), "tmp/\nlog/\n");
    await write(path.join(folder, "tmp", "x.txt"), "x");
    await write(path.join(folder, "log"), "a file, not a folder");
    expect(await new WorkspaceTools([folder]).listFolder(".")).toBe(".gitignore\nlog\ntmp/ (private: not readable)");
  });
});

describe("paths to write", () => {
  it("names an existing file, the folder itself and new files as results show them", async () => {
    const one = new WorkspaceTools([ws]);
    expect(await one.resolveForWrite("src/a.ts")).toEqual({ real: path.join(realWs, "src", "a.ts"), exists: true, shown: "src/a.ts" });
    expect(await one.resolveForWrite(".")).toEqual({ real: realWs, exists: true, shown: "." });
    expect(await one.resolveForWrite("new/deeper/f.ts")).toEqual({ real: path.join(realWs, "new", "deeper", "f.ts"), exists: false, shown: "new/deeper/f.ts" });
    expect(await one.resolveForWrite("src/b.ts")).toEqual({ real: path.join(realWs, "src", "b.ts"), exists: false, shown: "src/b.ts" });
    const several = new WorkspaceTools([app, lib]);
    expect((await several.resolveForWrite("lib")).shown).toBe("lib");
    expect((await several.resolveForWrite("lib/src/util.ts")).shown).toBe("lib/src/util.ts");
    expect(await several.resolveForWrite("lib/new.ts")).toMatchObject({ exists: false, shown: "lib/new.ts" });
  });

  it("refuses a new path through a link out of the workspace, or with a private name", async () => {
    const tools = new WorkspaceTools([ws]);
    await expect(tools.resolveForWrite("linked-out/new.txt")).rejects.toThrow("linked-out/new.txt leads outside the workspace (a symbolic link).");
    await expect(tools.resolveForWrite(".env.local")).rejects.toThrow(/^\.env\.local is private \(an environment file\)/);
    await expect(tools.resolveForWrite("../new.txt")).rejects.toThrow("../new.txt is outside the workspace.");
  });

  it("a private refusal says how the user can allow such files", async () => {
    await expect(new WorkspaceTools([ws]).resolveForWrite("keys/server.pem")).rejects.toThrow(
      "keys/server.pem is private (a key or certificate file): its contents are not shared with the model. Answer without it, or ask the user to paste what is needed. (The user can allow such files with the deepseekLocal.privacy.allowSecretFiles setting.)",
    );
  });
});

describe("read_file", () => {
  it("refuses a folder as not a file", async () => {
    await expect(new WorkspaceTools([ws]).readFile("src")).rejects.toThrow("src is not a file.");
  });

  it("returns a file that fits exactly as it is", async () => {
    const tools = new WorkspaceTools([ws]);
    expect(await tools.readFile("short.txt")).toBe("hello");
    expect(await tools.readFile("ends-fffd.txt")).toBe("text\uFFFD");
    expect(await new WorkspaceTools([ws], undefined, limits({ maxFileBytes: 5 })).readFile("short.txt")).toBe("hello");
  });

  it("drops the broken character at a cut, and says how much was shown", async () => {
    await write(path.join(ws, "euro.txt"), "ab€cd");
    const tools = new WorkspaceTools([ws], undefined, limits({ maxFileBytes: 4 }));
    expect(await tools.readFile("euro.txt")).toBe("ab\n… (truncated: 7 bytes, first 4 shown)");
    expect(await new WorkspaceTools([ws], undefined, limits({ maxFileBytes: 4 })).readFile("short.txt")).toBe("hell\n… (truncated: 5 bytes, first 4 shown)");
  });

  it("drops the whole run of replacement characters at a cut, not those before it", async () => {
    await write(path.join(ws, "runs.txt"), "a\uFFFDb\uFFFD\uFFFD€");
    const tools = new WorkspaceTools([ws], undefined, limits({ maxFileBytes: 13 }));
    expect(await tools.readFile("runs.txt")).toBe("a\uFFFDb\n… (truncated: 14 bytes, first 13 shown)");
  });
});

describe("list_folder", () => {
  it("lists the folders of several with '.', './' or '.\\'", async () => {
    const tools = new WorkspaceTools([app, lib]);
    for (const request of [".", "./", ".\\"]) expect(await tools.listFolder(request), request).toBe("app/\nlib/");
  });

  it("sorts by name whatever order the file system gives", async () => {
    const folder = path.join(base, "sorting");
    for (const name of ["b.txt", "a.txt", "C.txt"]) await write(path.join(folder, name), "x");
    const reversed = fsWith({ readdir: async (target) => (await nodeToolFileSystem.readdir(target)).sort((x, y) => y.name.localeCompare(x.name)) });
    expect(await new WorkspaceTools([folder], reversed).listFolder(".")).toBe("a.txt\nb.txt\nC.txt");
  });

  it("caps the entries and says how many more there are; at the cap exactly, says nothing", async () => {
    const folder = path.join(base, "many");
    for (const name of ["a", "b", "c", "d", "e"]) await write(path.join(folder, name), "x");
    expect(await new WorkspaceTools([folder], undefined, limits({ maxListEntries: 2 })).listFolder(".")).toBe("a\nb\n… (3 more)");
    expect(await new WorkspaceTools([folder], undefined, limits({ maxListEntries: 5 })).listFolder(".")).toBe("a\nb\nc\nd\ne");
  });

  it("says when a folder is empty", async () => {
    expect(await new WorkspaceTools([ws]).listFolder("empty")).toBe("(empty folder)");
  });

  it("the workspace folder itself is never private, even when a glob hides all it holds", async () => {
    const folder = path.join(base, "hidden-all");
    await write(path.join(folder, "a.txt"), "x");
    const tools = new WorkspaceTools([folder], undefined, undefined, { allowSecretFiles: false, excludeGlobs: ["*"] });
    expect(await tools.listFolder(".")).toBe("a.txt (private: not readable)");
  });
});

describe("search_text", () => {
  it("skips generated, vendored and cache folders", async () => {
    const folder = path.join(base, "skips");
    for (const skipped of ["node_modules", "dist", "out", "build", ".cache", ".venv", "__pycache__", "target"]) {
      await write(path.join(folder, skipped, "n.txt"), "needle\n");
    }
    await write(path.join(folder, "kept", "n.txt"), "needle\n");
    expect(await new WorkspaceTools([folder]).searchText("needle")).toBe("kept/n.txt:1: needle");
  });

  it("never walks .git, even when the user allows secret files", async () => {
    const folder = path.join(base, "git-opt-in");
    await write(path.join(folder, ".git", "notes.txt"), "needle in git\n");
    await write(path.join(folder, "a.txt"), "needle outside\n");
    const tools = new WorkspaceTools([folder], undefined, undefined, { allowSecretFiles: true, excludeGlobs: [] });
    expect(await tools.readFile(".git/notes.txt")).toBe("needle in git\n");
    expect(await tools.searchText("needle")).toBe("a.txt:1: needle outside");
  });

  it("says when no line matches", async () => {
    expect(await new WorkspaceTools([ws]).searchText("zzzz")).toBe('No line contains "zzzz".');
  });

  it("matches without case, trims lines and cuts long ones", async () => {
    const folder = path.join(base, "lines");
    await write(path.join(folder, "f.txt"), `first\n   NEEDLE in the middle \t \n${"needle".padEnd(300, "x")}\n`);
    expect(await new WorkspaceTools([folder]).searchText("Needle")).toBe(`f.txt:2: NEEDLE in the middle\nf.txt:3: ${"needle".padEnd(200, "x")}`);
  });

  it("stops at the match limit inside one file, and says so", async () => {
    const folder = path.join(base, "cap");
    await write(path.join(folder, "f.txt"), "needle 1\nneedle 2\nneedle 3\nneedle 4\nneedle 5\n");
    expect(await new WorkspaceTools([folder], undefined, limits({ maxSearchMatches: 2 })).searchText("needle")).toBe(
      "f.txt:1: needle 1\nf.txt:2: needle 2\n… (stopped at 2 matches)",
    );
    expect(await new WorkspaceTools([folder], undefined, limits({ maxSearchMatches: 5 })).searchText("needle")).toMatch(/f\.txt:5: needle 5\n… \(stopped at 5 matches\)$/);
    expect(await new WorkspaceTools([folder], undefined, limits({ maxSearchMatches: 6 })).searchText("needle")).toMatch(/f\.txt:5: needle 5$/);
  });

  it("reads no further file or folder once the match limit is reached", async () => {
    const folder = path.join(base, "early-stop");
    await write(path.join(folder, "a.txt"), "needle\n");
    await write(path.join(folder, "b.txt"), "needle\n");
    await write(path.join(folder, "sub", "c.txt"), "needle\n");
    const reads: string[] = [];
    const folders: string[] = [];
    const counting = fsWith({
      readHead: (target, max) => (reads.push(target), nodeToolFileSystem.readHead(target, max)),
      // Folders first: the sub-folder is queued before the first match ends the walk.
      readdir: async (target) => (folders.push(target), (await nodeToolFileSystem.readdir(target)).sort((x, y) => Number(y.isDirectory()) - Number(x.isDirectory()))),
    });
    const result = await new WorkspaceTools([folder], counting, limits({ maxSearchMatches: 1 })).searchText("needle");
    expect(result).toMatch(/^[ab]\.txt:1: needle\n… \(stopped at 1 matches\)$/);
    expect(reads).toHaveLength(1);
    expect(folders).toHaveLength(1);
  });

  it("searches at most maxSearchFiles files, and walks no folder after", async () => {
    const folder = path.join(base, "file-cap");
    for (const name of ["f1.txt", "f2.txt", "f3.txt", "f4.txt"]) await write(path.join(folder, name), "needle\n");
    await write(path.join(folder, "sub", "g.txt"), "needle\n");
    const two = await new WorkspaceTools([folder], undefined, limits({ maxSearchFiles: 2 })).searchText("needle");
    expect(two.split("\n")).toHaveLength(2);
    expect(two).toMatch(/^f\d\.txt:1: needle\nf\d\.txt:1: needle$/);
    const folders: string[] = [];
    const counting = fsWith({ readdir: (target) => (folders.push(target), nodeToolFileSystem.readdir(target)) });
    const one = await new WorkspaceTools([folder], counting, limits({ maxSearchFiles: 1 })).searchText("needle");
    expect(one).toMatch(/^f\d\.txt:1: needle$/);
    expect(folders).toEqual([await nodeToolFileSystem.realpath(folder)]);
  });

  it("walks no folder once exactly maxSearchFiles files were searched", async () => {
    const folder = path.join(base, "file-cap-exact");
    await write(path.join(folder, "one.txt"), "needle one\n");
    await write(path.join(folder, "sub", "two.txt"), "needle two\n");
    const folders: string[] = [];
    const counting = fsWith({ readdir: (target) => (folders.push(target), nodeToolFileSystem.readdir(target)) });
    expect(await new WorkspaceTools([folder], counting, limits({ maxSearchFiles: 1 })).searchText("needle")).toBe("one.txt:1: needle one");
    expect(folders).toEqual([await nodeToolFileSystem.realpath(folder)]);
  });

  it("goes on past a folder it cannot list, a file it cannot stat or read", async () => {
    const folder = path.join(base, "failing");
    await write(path.join(folder, "ok.txt"), "needle ok\n");
    await write(path.join(folder, "broken", "x.txt"), "needle x\n");
    await write(path.join(folder, "nostat.txt"), "needle nostat\n");
    await write(path.join(folder, "noread.txt"), "needle noread\n");
    const failing = fsWith({
      readdir: async (target) => {
        if (target.endsWith("broken")) throw new Error("EACCES");
        return nodeToolFileSystem.readdir(target);
      },
      stat: async (target) => {
        if (target.endsWith("nostat.txt")) throw new Error("EIO");
        return nodeToolFileSystem.stat(target);
      },
      readHead: async (target, max) => {
        if (target.endsWith("noread.txt")) throw new Error("EIO");
        return nodeToolFileSystem.readHead(target, max);
      },
    });
    expect(await new WorkspaceTools([folder], failing).searchText("needle")).toBe("ok.txt:1: needle ok");
  });

  it("does not search an entry marked as a link or one that is neither file nor folder", async () => {
    const folder = path.join(base, "odd-entries");
    await write(path.join(folder, "link.txt"), "needle link\n");
    await write(path.join(folder, "pipe.txt"), "needle pipe\n");
    await write(path.join(folder, "plain.txt"), "needle plain\n");
    const odd = fsWith({
      readdir: async (target) =>
        (await nodeToolFileSystem.readdir(target)).map((entry) => ({
          name: entry.name,
          isFile: () => entry.name !== "pipe.txt",
          isDirectory: () => false,
          isSymbolicLink: () => entry.name === "link.txt",
        })),
    });
    expect(await new WorkspaceTools([folder], odd).searchText("needle")).toBe("plain.txt:1: needle plain");
  });

  it("skips files over the size limit, searches one exactly at it", async () => {
    const folder = path.join(base, "sizes");
    await write(path.join(folder, "at.txt"), "needle at".padEnd(19, ".") + "\n");
    await write(path.join(folder, "over.txt"), "needle over".padEnd(20, ".") + "\n");
    expect(await new WorkspaceTools([folder], undefined, limits({ maxSearchFileBytes: 20 })).searchText("needle")).toBe("at.txt:1: needle at..........");
  });

  it("skips a file with a NUL in its first 8000 bytes, not one with a NUL later", async () => {
    const folder = path.join(base, "binary");
    await write(path.join(folder, "early.bin"), Buffer.concat([Buffer.from("needle early\n"), Buffer.from([0]), Buffer.from("\n")]));
    await write(path.join(folder, "late.txt"), Buffer.concat([Buffer.from("needle late\n"), Buffer.alloc(9000, 0x61), Buffer.from([0])]));
    expect(await new WorkspaceTools([folder]).searchText("needle")).toBe("late.txt:1: needle late");
  });
});
