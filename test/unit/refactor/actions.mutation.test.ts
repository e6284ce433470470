// The built-in actions as the model is told them: each prompt carries the task and the rule that
// keeps the user's code safe (do not change code, keep behaviour), and each action asks for the
// answer shape that can express it. Written for the mutants the first tests let live (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { builtinActions, commandIdOf } from "../../../src/core/refactor/actions.js";

const byId = (id: string) => builtinActions.find((action) => action.id === id)!;

describe("built-in refactor actions", () => {
  it("are the six of the editor's menu, each with its own answer shape, all built in", () => {
    expect(builtinActions.map((action) => [action.id, action.answer])).toEqual([
      ["withInstruction", "replaceSelection"],
      ["addDocumentation", "insertBefore"],
      ["suggestNames", "renames"],
      ["extractFunction", "extractFunction"],
      ["simplify", "anchoredEdits"],
      ["addErrorHandling", "replaceSelection"],
    ]);
    expect(builtinActions.every((action) => action.source === "builtin")).toBe(true);
    expect(commandIdOf(byId("simplify"))).toBe("deepseekLocal.refactor.simplify");
  });

  it("only 'Refactor with Instruction…' asks the user for an instruction", () => {
    expect(builtinActions.filter((action) => action.asksForInstruction).map((action) => action.id)).toEqual(["withInstruction"]);
  });

  it("documentation comments are short: their text is capped at 600 characters", () => {
    // A comment longer than that is a rewrite, not documentation; the cap also keeps the grammar small.
    expect(byId("addDocumentation").limits).toEqual({ maxTextLength: 600 });
  });

  it("each prompt states the task and what must not change", () => {
    expect(byId("withInstruction").prompt).toMatch(/^Rewrite the selected code as the user asks\..*Keep its behaviour unless the instruction says otherwise\.$/);
    expect(byId("addDocumentation").prompt).toMatch(/^Add documentation comments .* that lack them\. .*Do not change any code\.$/);
    expect(byId("suggestNames").prompt).toMatch(/^Suggest clearer names .* misleading\. Follow the language's naming conventions\.$/);
    expect(byId("extractFunction").prompt).toMatch(/^Extract the selected code into a new, well-named function\..*return what later code uses\.$/);
    expect(byId("simplify").prompt).toMatch(/^Simplify the selected code .*clearer conditions\)\. Keep its behaviour exactly\.$/);
    expect(byId("addErrorHandling").prompt).toMatch(/^Add error handling to the selected code: .* Keep its behaviour on success\.$/);
  });
});
