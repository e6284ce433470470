// User actions from the settings, at their edges: every required field is reported when missing,
// names and instructions are trimmed and must not be blank, ids stay distinct, the limits a user
// sets reach the schema, and a setting of null or broken entries never throws. Written for the
// mutants the first tests let live (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { parseCustomActions } from "../../../src/core/refactor/customActions.js";
import { schemaFor } from "../../../src/core/refactor/runRefactor.js";
import { targetOf } from "./helpers.js";

const action = (fields: Record<string, unknown>) => ({ name: "Tidy", instruction: "Tidy it.", answerShape: "replaceSelection", ...fields });

describe("parseCustomActions edges", () => {
  it("a null setting means no actions and no problems", () => {
    expect(parseCustomActions(null)).toEqual({ actions: [], problems: [] });
  });

  it("reports a definition without instruction or without answer shape, listing the shapes", () => {
    const { actions, problems } = parseCustomActions([{ name: "A", answerShape: "renames" }, { name: "B", instruction: "x" }]);
    expect(actions).toEqual([]);
    expect(problems[0]).toMatch(/^deepseekLocal\.refactor\.customActions\[0\] \("A"\): the definition must have required property 'instruction'/);
    expect(problems[1]).toMatch(/^deepseekLocal\.refactor\.customActions\[1\] \("B"\): the definition must have required property 'answerShape'/);
    expect(problems[1]).toMatch(/\. Answer shapes: replaceSelection, anchoredEdits, insertBefore, renames, extractFunction\.$/);
  });

  it("reports entries that are not objects, or whose name is not text, without a name", () => {
    const { problems } = parseCustomActions([null, 7, action({ name: 5 })]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^deepseekLocal\.refactor\.customActions\[0\]: /);
    expect(problems[1]).toMatch(/^deepseekLocal\.refactor\.customActions\[1\]: /);
    expect(problems[2]).toMatch(/^deepseekLocal\.refactor\.customActions\[2\]: /);
  });

  it("refuses a blank name or a blank instruction", () => {
    const { actions, problems } = parseCustomActions([action({ name: "   " }), action({ instruction: " \n " })]);
    expect(actions).toEqual([]);
    expect(problems).toEqual([
      'deepseekLocal.refactor.customActions[0] ("   "): name and instruction must not be blank.',
      'deepseekLocal.refactor.customActions[1] ("Tidy"): name and instruction must not be blank.',
    ]);
  });

  it("trims the name and the instruction, and marks the action as the user's", () => {
    const { actions } = parseCustomActions([action({ name: "  Tidy up  ", instruction: "\n  Sort the imports.  \n" })]);
    expect(actions).toEqual([{ id: "custom.tidy-up", title: "Tidy up", prompt: "Sort the imports.", answer: "replaceSelection", limits: {}, source: "custom" }]);
  });

  it("makes ids from names: compatibility forms folded, other characters joined by one dash, none at the ends", () => {
    // "ﬁ" (a ligature) and full-width letters are plain letters once folded.
    const { actions } = parseCustomActions([action({ name: "ﬁx Ｔｙｐｅｓ" }), action({ name: "--Make it FAST!!" }), action({ name: "!!!" })]);
    expect(actions.map((each) => each.id)).toEqual(["custom.fix-types", "custom.make-it-fast", "custom.action"]);
  });

  // Accents are dropped, not turned into dashes: "Café Crème" once gave custom.cafe-cre-me.
  it("drops accents from ids", () => {
    const { actions } = parseCustomActions([action({ name: "Café Crème" }), action({ name: "Überprüfe Typen" })]);
    expect(actions.map((each) => each.id)).toEqual(["custom.cafe-creme", "custom.uberprufe-typen"]);
  });

  it("keeps ids distinct when different names give the same one", () => {
    const { actions, problems } = parseCustomActions([action({ name: "Tidy up" }), action({ name: "tidy-up" }), action({ name: "Tidy: up" })]);
    expect(problems).toEqual([]);
    expect(actions.map((each) => each.id)).toEqual(["custom.tidy-up", "custom.tidy-up-2", "custom.tidy-up-3"]);
  });

  it("a user's text limit reaches the schema the model answers under", () => {
    const { actions } = parseCustomActions([action({ maxTextLength: 120 })]);
    expect(actions[0]!.limits).toEqual({ maxTextLength: 120 });
    const schema = schemaFor(actions[0]!, targetOf("«let x = 1;»")) as { properties: { code: { maxLength: number } } };
    expect(schema.properties.code.maxLength).toBe(120);
  });
});
