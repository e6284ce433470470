// The model's answer as a commit message: models wrap it in code fences, open with "Here is…", quote
// the subject or label it "Subject:"; none of that belongs in the commit. Applied to the partial
// answer while it streams too, so what the input box shows is already clean.
import { subjectLimit, type CommitStyle } from "./commitStyle.js";

const preamble = /^(here('s| is| are)|sure|certainly|okay|ok|of course|below is|based on)\b[^\n]*$/i;
const label = /^(commit message|subject( line)?|message)\s*:\s*/i;
const reasoning = /<think>[\s\S]*?(<\/think>|$)/g;

export function cleanCommitMessage(answer: string, style: CommitStyle): string {
  let text = answer.replace(reasoning, "").replace(/\r\n?/g, "\n");
  const fenced = /```[^\n]*\n([\s\S]*?)(```|$)/.exec(text);
  if (fenced && fenced[1]!.trim()) text = fenced[1]!;
  else text = text.replace(/^```[^\n]*$/gm, "");
  const lines = text.split("\n").map((line) => line.trimEnd());
  while (lines.length && (lines[0]!.trim() === "" || preamble.test(lines[0]!.trim()))) lines.shift();
  if (!lines.length) return "";
  lines[0] = limitSubject(unwrap(lines[0]!.trim().replace(label, "")), subjectLimit(style));
  // One blank line between subject and body, none at the end, no runs of blank lines.
  const body = lines.slice(1).join("\n").replace(/^\s*\n/, "").replace(/\n{3,}/g, "\n\n").trimEnd();
  return body ? `${lines[0]}\n\n${body.replace(/^\s+/, "")}` : lines[0]!;
}

/** A subject wrapped in quotes, backticks or bold markers loses them. */
function unwrap(subject: string): string {
  const wrapped = /^(["'`*]+)(.+?)\1$/.exec(subject);
  return wrapped ? wrapped[2]!.trim() : subject;
}

/** At most `limit` characters, cut at the last word boundary that fits. */
function limitSubject(subject: string, limit: number): string {
  const characters = [...subject];
  if (characters.length <= limit) return subject;
  const cut = characters.slice(0, limit).join("");
  const space = cut.lastIndexOf(" ");
  return (space > limit / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:-]+$/, "");
}
