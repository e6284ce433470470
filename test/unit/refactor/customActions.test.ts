import { describe, expect, it } from "vitest";
import { parseCustomActions } from "../../../src/core/refactor/customActions.js";
import { schemaFor } from "../../../src/core/refactor/runRefactor.js";
import { compileJsonSchema } from "../../../src/core/json/validateJson.js";
import { targetOf } from "./helpers.js";

describe("user-defined refactor actions", () => {
  it("turns valid definitions into actions with their answer shape and bounds", () => {
    const { actions, problems } = parseCustomActions([
      { name: "Convert to async/await", instruction: "Use async/await instead of promise chains.", answerShape: "replaceSelection" },
      { name: "Tighten types", instruction: "Replace any with precise types.", answerShape: "anchoredEdits", maxEdits: 3, maxTextLength: 500 },
    ]);
    expect(problems).toEqual([]);
    expect(actions.map((action) => [action.id, action.answer])).toEqual([
      ["custom.convert-to-async-await", "replaceSelection"],
      ["custom.tighten-types", "anchoredEdits"],
    ]);
    const schema = schemaFor(actions[1]!, targetOf("«let x: any = 1;»"));
    expect(() => compileJsonSchema(schema)).not.toThrow();
    const edits = (schema.properties as Record<string, { maxItems?: number }>).edits!;
    expect(edits.maxItems).toBe(3);
  });

  it("reports a broken definition by index and name, and keeps the valid ones", () => {
    const { actions, problems } = parseCustomActions([
      { name: "Free-form", instruction: "Anything", answerShape: "freeText" },
      { name: "Huge", instruction: "x", answerShape: "renames", maxEdits: 500 },
      { instruction: "no name", answerShape: "renames" },
      { name: "Fine", instruction: "Do it", answerShape: "insertBefore" },
      { name: "fine", instruction: "Again", answerShape: "insertBefore" },
      { name: "Add Documentation Comments", instruction: "clash", answerShape: "insertBefore" },
      { name: "Extra", instruction: "x", answerShape: "renames", schema: { type: "object" } },
    ]);
    expect(actions.map((action) => action.title)).toEqual(["Fine"]);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/customActions\[0\] \("Free-form"\): \/answerShape must be equal to one of the allowed values/);
    expect(problems[0]).toContain("replaceSelection");
    expect(problems[1]).toMatch(/\[1\] \("Huge"\): \/maxEdits must be <= 20/);
    expect(problems[2]).toMatch(/\[2\]: the definition must have required property 'name'/);
    expect(problems[3]).toMatch(/\[4\] \("fine"\): another action already has this name/);
    expect(problems[4]).toMatch(/\[5\].*another action already has this name/);
    expect(problems[5]).toMatch(/\[6\].*must NOT have additional properties \(schema\)/);
  });

  it("reports a setting that is not a list", () => {
    expect(parseCustomActions({ name: "x" }).problems).toEqual([expect.stringContaining("must be a list")]);
    expect(parseCustomActions(undefined)).toEqual({ actions: [], problems: [] });
  });
});
