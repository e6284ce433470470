// package.json declares what the code registers: one command per built-in action, and the
// settings schema of user actions says what parseCustomActions accepts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtinActions, commandIdOf } from "../../../src/core/refactor/actions.js";
import { customActionDefinitionSchema, customActionsSetting } from "../../../src/core/refactor/customActions.js";
import { settingsOf } from "../../fixtures/manifestSettings.js";

const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));

describe("refactor contributions in package.json", () => {
  it("has a command, titled like the action, for every built-in action, in the editor's context submenu", () => {
    const commands = new Map<string, string>(manifest.contributes.commands.map((c: { command: string; title: string }) => [c.command, c.title]));
    const submenu = manifest.contributes.menus["deepseekLocal.refactorMenu"].map((m: { command: string }) => m.command);
    for (const action of builtinActions) {
      expect(commands.get(commandIdOf(action))).toBe(action.title);
      expect(submenu).toContain(commandIdOf(action));
    }
    expect(manifest.contributes.menus["editor/context"]).toContainEqual(expect.objectContaining({ submenu: "deepseekLocal.refactorMenu" }));
  });

  it("describes user actions with the same schema the code checks", () => {
    const items = settingsOf(manifest)[customActionsSetting]!.items!;
    const { description: _d1, ...shape } = items.properties.answerShape;
    expect(shape).toEqual(customActionDefinitionSchema.properties && (customActionDefinitionSchema.properties as Record<string, unknown>).answerShape);
    for (const key of ["name", "instruction", "maxEdits", "maxTextLength"]) {
      const { description: _d, ...declared } = items.properties[key];
      expect(declared, key).toEqual((customActionDefinitionSchema.properties as Record<string, unknown>)[key]);
    }
    expect(items.required).toEqual(customActionDefinitionSchema.required);
  });
});
