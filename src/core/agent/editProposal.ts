// The chat's edit tool (issue 23): the model proposes changes to several files in one answer —
// anchored replacements, new files, renames, deletions — as one JSON object under a bounded schema.
// On the local engine the tool step is generated under this schema (a grammar); a server's tool
// call is validated against it. Nothing here touches a file: the proposal becomes a plan
// (changeSetPlan.ts), the user reviews it, and only what they apply changes.
import type { ToolDefinition } from "../engine/chatEngine.js";
import { validateJsonValue, type JsonSchema } from "../json/validateJson.js";
import { fieldsAtLimit } from "../refactor/answerShapes.js";

export const proposeEditsToolName = "propose_edits";

export interface AnchoredReplacement {
  anchor: string;
  replacement: string;
}

export type ProposedChange =
  | { kind: "edit"; path: string; edits: AnchoredReplacement[] }
  | { kind: "create"; path: string; content: string }
  | { kind: "rename"; path: string; newPath: string }
  | { kind: "delete"; path: string };

export interface EditProposal {
  summary: string;
  changes: ProposedChange[];
}

/**
 * Bounds of one proposal. Every string and list is bounded so the grammar always closes within a
 * known number of tokens (ENGINE-FACTS: unbounded schemas may never close on a weak model).
 */
export interface ProposalLimits {
  maxChanges: number;
  maxEditsPerFile: number;
  maxAnchorLength: number;
  maxTextLength: number;
  maxPathLength: number;
  maxSummaryLength: number;
}

export const defaultProposalLimits: ProposalLimits = {
  maxChanges: 8,
  maxEditsPerFile: 8,
  maxAnchorLength: 400,
  maxTextLength: 6000,
  maxPathLength: 240,
  maxSummaryLength: 200,
};

const text = (maxLength: number, description: string, minLength = 0): JsonSchema => ({
  type: "string",
  ...(minLength > 0 ? { minLength } : {}),
  maxLength,
  description,
});

const object = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** The schema of the tool's arguments; `kind` comes first so the grammar knows the shape early. */
export function editProposalSchema(limits: ProposalLimits = defaultProposalLimits): JsonSchema {
  const path = text(limits.maxPathLength, "A path relative to the workspace folder.", 1);
  const kind = (name: ProposedChange["kind"]): JsonSchema => ({ const: name });
  return object({
    summary: text(limits.maxSummaryLength, "One sentence for the user: what the change does."),
    changes: {
      type: "array",
      minItems: 1,
      maxItems: limits.maxChanges,
      items: {
        oneOf: [
          object({
            kind: kind("edit"),
            path,
            edits: {
              type: "array",
              minItems: 1,
              maxItems: limits.maxEditsPerFile,
              items: object({
                anchor: text(limits.maxAnchorLength, "Text copied exactly from the file, occurring in it once.", 1),
                replacement: text(limits.maxTextLength, "The text that takes the anchor's place."),
              }),
            },
          }),
          object({ kind: kind("create"), path, content: text(limits.maxTextLength, "The whole content of the new file.") }),
          object({ kind: kind("rename"), path, newPath: path }),
          object({ kind: kind("delete"), path }),
        ],
      },
    },
  });
}

export function proposeEditsTool(limits: ProposalLimits = defaultProposalLimits): ToolDefinition {
  return {
    name: proposeEditsToolName,
    description:
      "Propose changes to workspace files, shown to the user as one change set to review: " +
      '"edit" replaces anchors (exact text that occurs once in the file, read it first) with replacements; ' +
      '"create" writes a new file; "rename" moves a file; "delete" removes one. ' +
      "The result says what the user applied, skipped or what was refused and why.",
    parameters: editProposalSchema(limits),
  };
}

export type ParsedProposal = { ok: true; proposal: EditProposal } | { ok: false; error: string };

/**
 * Validates a proposal (model output: untrusted even under a grammar). A string that reached its
 * bound may have been cut by the grammar, so such a proposal is refused rather than applied cut.
 */
export function parseEditProposal(argumentsJson: string, limits: ProposalLimits = defaultProposalLimits): ParsedProposal {
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson);
  } catch {
    return { ok: false, error: "The proposal is not valid JSON." };
  }
  const schema = editProposalSchema(limits);
  const checked = validateJsonValue<EditProposal>(schema, value);
  if (!checked.ok) return { ok: false, error: `The proposal does not match the tool's schema: ${checked.error}` };
  const cut = checked.value.changes.flatMap((change, index) => fieldsAtLimit(changeSchema(schema, change.kind), change, `/changes/${index}`));
  if (cut.length) {
    return { ok: false, error: `The proposal reached a length limit at ${cut.map((field) => field.path).join(", ")}, so it may be cut off; nothing was shown. Propose smaller changes.` };
  }
  return { ok: true, proposal: checked.value };
}

/** The schema branch of one change kind (for the length-limit check). */
function changeSchema(schema: JsonSchema, kind: ProposedChange["kind"]): JsonSchema {
  const changes = (schema.properties as Record<string, JsonSchema>).changes!;
  const branches = (changes.items as { oneOf: JsonSchema[] }).oneOf;
  return branches.find((branch) => ((branch.properties as Record<string, JsonSchema>).kind as { const: string }).const === kind)!;
}
