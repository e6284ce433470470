// README.md's Settings tables and Commands table against package.json (issue 26 item 4), both ways,
// so the two cannot drift apart: a setting or command missing from either side, a default the
// README states differently, or a setting under another group's heading fails, and the message
// says what to write. And the Settings UI shape of issue 22 item 7: titled, ordered groups, each
// setting described, no type the Settings UI cannot edit.
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { settingsGroupsOf, settingsOf, type SettingSchema } from "../../fixtures/manifestSettings.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as Manifest;

interface Manifest {
  contributes: { configuration: unknown; commands: { command: string; title: string }[] };
}

/** The lines of the README section under `## title`, up to the next `## ` heading. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

interface SettingRow {
  key: string;
  defaultCell: string;
  /** The `### ` heading the row sits under. */
  group: string | undefined;
}

function settingRows(text: string): SettingRow[] {
  const rows: SettingRow[] = [];
  let group: string | undefined;
  for (const line of section(text, "Settings")) {
    if (line.startsWith("### ")) group = line.slice(4).trim();
    const row = /^\|\s*`(deepseekLocal\.[^`]+)`\s*\|([^|]*)\|/.exec(line);
    if (row) rows.push({ key: row[1]!, defaultCell: row[2]!.trim(), group });
  }
  return rows;
}

type Stated = { kind: "empty" } | { kind: "prefix"; text: string } | { kind: "value"; value: unknown } | { kind: "none" };

/** The default a README cell states: `—` (empty), a code span (JSON, or text; `…` at its end: a prefix), a bare number or boolean. */
function statedDefault(cell: string): Stated {
  if (cell.startsWith("—")) return { kind: "empty" };
  const code = /^`([^`]*)`/.exec(cell)?.[1];
  const token = code ?? /^(-?\d+(?:\.\d+)?|true|false)\b/.exec(cell)?.[1];
  if (token === undefined) return { kind: "none" };
  if (token.endsWith("…")) return { kind: "prefix", text: token.slice(0, -1) };
  try {
    return { kind: "value", value: JSON.parse(token) };
  } catch {
    return { kind: "value", value: token };
  }
}

function agrees(stated: Stated, value: unknown): boolean {
  switch (stated.kind) {
    case "empty":
      return ["", {}, []].some((empty) => isDeepStrictEqual(empty, value));
    case "prefix":
      return typeof value === "string" && stated.text.length > 0 && value.startsWith(stated.text);
    case "value":
      return isDeepStrictEqual(stated.value, value);
    case "none":
      return false;
  }
}

/** How the README writes `value` in the default column. */
function renderDefault(value: unknown): string {
  if (["", {}, []].some((empty) => isDeepStrictEqual(empty, value))) return "—";
  if (typeof value === "string") return value.length > 60 ? `\`${value.slice(0, 40)}…\`` : `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function firstSentence(schema: SettingSchema): string {
  const text = String(schema.markdownDescription ?? schema.description ?? "what it does, for a user");
  return (/^.*?[.:](?=\s|$)/.exec(text)?.[0] ?? text).replace(/[.:]$/, "").replace(/\|/g, "\\|");
}

/** Every disagreement between README's Settings tables and package.json's settings, each saying what to change. */
function settingsDrift(text: string, declared: Manifest): string[] {
  const rows = settingRows(text);
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const problems: string[] = [];
  for (const group of settingsGroupsOf(declared)) {
    for (const [key, schema] of Object.entries(group.properties)) {
      const row = byKey.get(key);
      const suggested = `| \`${key}\` | ${renderDefault(schema.default)} | ${firstSentence(schema)} |`;
      if (!row) problems.push(`${key} is in package.json but not in README.md: add under "### ${group.title}" in "## Settings" the row\n${suggested}`);
      else if (row.group !== group.title) problems.push(`${key} is under "### ${row.group}" in README.md; move it under "### ${group.title}" (its group in package.json)`);
      else if (!agrees(statedDefault(row.defaultCell), schema.default))
        problems.push(`README.md gives ${key} the default "${row.defaultCell}"; package.json's is ${JSON.stringify(schema.default)}: write ${renderDefault(schema.default)}`);
    }
  }
  const settings = settingsOf(declared);
  for (const row of rows) {
    if (!(row.key in settings)) problems.push(`README.md lists ${row.key}, which package.json does not declare: remove its row or declare the setting`);
  }
  const headings = [...new Set(rows.map((row) => row.group))];
  const titles = [...settingsGroupsOf(declared)].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)).map((group) => group.title);
  if (!isDeepStrictEqual(headings, titles)) problems.push(`README.md's settings headings are ${JSON.stringify(headings)}; package.json's groups, in order, are ${JSON.stringify(titles)}`);
  return problems;
}

/** Every disagreement between README's Commands table and package.json's commands. */
function commandsDrift(text: string, declared: Manifest): string[] {
  const rows = new Map<string, string>();
  for (const line of section(text, "Commands")) {
    const row = /^\|\s*\*\*(.+?)\*\*\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (row) rows.set(row[2]!, row[1]!);
  }
  const problems: string[] = [];
  for (const { command, title } of declared.contributes.commands) {
    const stated = rows.get(command);
    if (stated === undefined) problems.push(`${command} is in package.json but not in README.md: add to "## Commands" the row\n| **${title}** | \`${command}\` | what it does, for a user |`);
    else if (stated !== title) problems.push(`README.md titles ${command} "${stated}"; package.json's title is "${title}"`);
  }
  const declaredIds = new Set(declared.contributes.commands.map((c) => c.command));
  for (const id of rows.keys()) if (!declaredIds.has(id)) problems.push(`README.md lists the command ${id}, which package.json does not contribute: remove its row`);
  return problems;
}

describe("README.md and package.json agree", () => {
  it("on every setting, its group and its default", () => {
    expect(settingRows(readme).length, "README.md's Settings tables were not found").toBeGreaterThan(30);
    expect(settingsDrift(readme, manifest)).toEqual([]);
  });

  it("on every command and its title", () => {
    expect(commandsDrift(readme, manifest)).toEqual([]);
  });
});

describe("the agreement check catches drift (control cases)", () => {
  const key = "deepseekLocal.completion.maxLines";
  const rowOf = (text: string) => text.split("\n").find((line) => line.startsWith(`| \`${key}\``))!;

  it("a setting missing from the README, with the row to add", () => {
    const problems = settingsDrift(readme.replace(`${rowOf(readme)}\n`, ""), manifest);
    expect(problems).toEqual([expect.stringContaining(`${key} is in package.json but not in README.md: add under "### Completion (Ghost Text)"`)]);
    expect(problems[0]).toContain(`| \`${key}\` | \`8\` | Most lines in one suggestion |`);
  });

  it("a setting the manifest does not declare, a changed default, a row under another heading", () => {
    const extra = readme.replace(rowOf(readme), `${rowOf(readme)}\n| \`deepseekLocal.completion.gone\` | \`1\` | removed |`);
    expect(settingsDrift(extra, manifest)).toEqual([expect.stringContaining("README.md lists deepseekLocal.completion.gone, which package.json does not declare")]);
    const changed = readme.replace(rowOf(readme), rowOf(readme).replace("`8`", "`3`"));
    expect(settingsDrift(changed, manifest)).toEqual([expect.stringContaining(`README.md gives ${key} the default "\`3\`"; package.json's is 8`)]);
    const moved = readme.replace(`${rowOf(readme)}\n`, "").replace("### Cache\n\n| setting | default | what it does |\n|---|---|---|\n", (m) => `${m}${rowOf(readme)}\n`);
    expect(settingsDrift(moved, manifest)).toEqual([expect.stringContaining(`${key} is under "### Cache" in README.md; move it under "### Completion (Ghost Text)"`)]);
  });

  it("a command missing from either side, or titled differently", () => {
    const commands = manifest.contributes.commands;
    const added = { ...manifest, contributes: { ...manifest.contributes, commands: [...commands, { command: "deepseekLocal.newThing", title: "New Thing" }] } };
    expect(commandsDrift(readme, added)).toEqual([`deepseekLocal.newThing is in package.json but not in README.md: add to "## Commands" the row\n| **New Thing** | \`deepseekLocal.newThing\` | what it does, for a user |`]);
    const retitled = { ...manifest, contributes: { ...manifest.contributes, commands: commands.map((c) => (c.command === "deepseekLocal.stopEngine" ? { ...c, title: "Halt" } : c)) } };
    expect(commandsDrift(readme, retitled)).toEqual([`README.md titles deepseekLocal.stopEngine "Stop Engine"; package.json's title is "Halt"`]);
    const dropped = { ...manifest, contributes: { ...manifest.contributes, commands: commands.filter((c) => c.command !== "deepseekLocal.stopEngine") } };
    expect(commandsDrift(readme, dropped)).toEqual([expect.stringContaining("README.md lists the command deepseekLocal.stopEngine, which package.json does not contribute")]);
  });
});

/** Settings the Settings UI cannot edit by design (it offers "Edit in settings.json"), and why. */
const settingsJsonOnly: Record<string, string> = {
  "deepseekLocal.remote.extraBody": "any JSON the server accepts, nested objects included",
  "deepseekLocal.refactor.customActions": "a list of objects with several fields each",
};

/** Whether the Settings UI has an editor for this schema (text, number, checkbox, dropdown, string list, key/value table). */
function editableInSettingsUi(schema: SettingSchema): boolean {
  const simple = (type: unknown) => ["string", "number", "integer", "boolean"].includes(type as string);
  if (Array.isArray(schema.type)) return false;
  if (simple(schema.type)) return true;
  if (schema.type === "array") return (schema.items as { type?: unknown } | undefined)?.type === "string";
  if (schema.type === "object") return simple((schema.additionalProperties as { type?: unknown } | undefined)?.type);
  return false;
}

describe("package.json's settings in the Settings UI (issue 22 item 7)", () => {
  const groups = settingsGroupsOf(manifest);

  it("come in titled groups with distinct orders", () => {
    expect(Array.isArray(manifest.contributes.configuration)).toBe(true);
    for (const group of groups) expect(group.title, JSON.stringify(group.id)).toMatch(/\S/);
    const orders = groups.map((group) => group.order);
    expect(orders.every((order) => Number.isInteger(order))).toBe(true);
    expect(new Set(orders).size).toBe(groups.length);
  });

  it("each described for a user", () => {
    const undescribed = Object.entries(settingsOf(manifest)).filter(([, schema]) => !String(schema.markdownDescription ?? schema.description ?? "").trim());
    expect(undescribed.map(([key]) => key)).toEqual([]);
  });

  it("each editable there: no union types, objects of plain values (or listed as settings.json-only with the reason)", () => {
    const notEditable = Object.entries(settingsOf(manifest))
      .filter(([key, schema]) => !editableInSettingsUi(schema) && !(key in settingsJsonOnly))
      .map(([key, schema]) => `${key}: ${JSON.stringify(schema.type)}`);
    expect(notEditable).toEqual([]);
  });
});
