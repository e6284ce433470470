// The layering and ownership rules of docs/architecture.md (issue 27), checked on the sources so a
// change that breaks one fails here, naming the file.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { builtinActions, commandIdOf } from "../../src/core/refactor/actions.js";

const root = path.resolve(__dirname, "../..");
const sourceFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(relative) : relative.endsWith(".ts") ? [relative.split(path.sep).join("/")] : [];
  });
const files = sourceFiles("src");
const text = new Map(files.map((file) => [file, readFileSync(path.join(root, file), "utf8")]));

/** Module specifiers a file imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const found = [...source.matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)];
  return found.map((match) => match[1] ?? match[2]!);
}

/** The src files a file imports (relative imports only), as repository paths. */
function localImports(file: string): string[] {
  return specifiers(text.get(file)!)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, ".ts"))
    .filter((target) => text.has(target));
}

describe("layers", () => {
  it("core imports only core and protocol", () => {
    const upward = files
      .filter((file) => file.startsWith("src/core/"))
      .flatMap((file) => localImports(file).filter((target) => !target.startsWith("src/core/") && !target.startsWith("src/protocol/")).map((target) => `${file} → ${target}`));
    expect(upward).toEqual([]);
  });

  it("vscode is imported only at the editor edge, node-llama-cpp only in the engine", () => {
    const misplaced = files.flatMap((file) =>
      specifiers(text.get(file)!).flatMap((spec) => {
        if (spec === "vscode" && !file.startsWith("src/vscode/") && file !== "src/extension.ts") return [`${file} imports vscode`];
        if (spec.startsWith("node-llama-cpp") && !file.startsWith("src/engine/")) return [`${file} imports ${spec}`];
        return [];
      }),
    );
    expect(misplaced).toEqual([]);
  });

  it("has no import circle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") return void cycles.push([...trail.slice(trail.indexOf(file)), file].join(" → "));
      state.set(file, "visiting");
      for (const target of localImports(file)) visit(target, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe("one owner each", () => {
  const usesOf = (pattern: RegExp) => files.filter((file) => pattern.test(text.get(file)!));

  it("settings are read and watched only in src/vscode/config.ts", () => {
    expect(usesOf(/\bgetConfiguration\(/)).toEqual(["src/vscode/config.ts"]);
    expect(usesOf(/\bonDidChangeConfiguration\b/)).toEqual(["src/vscode/config.ts"]);
  });

  it("commands are registered only through the table in src/vscode/commands.ts, and every contributed command is in it", () => {
    expect(usesOf(/\bregisterCommand\(/)).toEqual(["src/vscode/commands.ts"]);
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } };
    // The ids the editor edge names (table keys and the constants they use), and the refactor actions' ids.
    const named = new Set(files.filter((file) => file.startsWith("src/vscode/")).flatMap((file) => [...text.get(file)!.matchAll(/["'](deepseekLocal\.[\w.]+)["']/g)].map((m) => m[1]!)));
    for (const action of builtinActions) named.add(commandIdOf(action));
    const unhandled = manifest.contributes.commands.map((c) => c.command).filter((id) => !named.has(id));
    expect(unhandled).toEqual([]);
  });
});

describe("size", () => {
  it("no function in src is longer than 80 lines", () => {
    const long: string[] = [];
    for (const file of files) {
      const source = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && "body" in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
          const name = "name" in node && node.name ? node.name.getText(source) : ts.SyntaxKind[node.kind];
          if (lines > 80) long.push(`${file}:${first + 1} ${name} (${lines} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
