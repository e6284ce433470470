// Markdown for chat answers. Model output is untrusted, so rendering has two layers:
// 1. markdown-it with raw HTML off (any `<script>` is shown as text), links limited to http(s) and
//    mailto, and no images at all (a remote image would leak that the chat was read; a data: URI
//    can hide anything) — images become their alt text;
// 2. DOMPurify over the result with a tag/attribute allow-list (sanitizeConfig), in the page.
// Code blocks are highlighted with highlight.js (its output escapes the code).
import type { Config, DOMPurify } from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdownLanguage from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt from "markdown-it";

const languages = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLanguage, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) {
  if (!hljs.getLanguage(name)) hljs.registerLanguage(name, language);
}

/** Link targets a chat answer may have; everything else is rendered as plain text. */
export const allowedLinkPattern = /^(?:https?:|mailto:)/i;

function highlight(code: string, language: string): string {
  const name = language.trim().toLowerCase();
  if (!name || !hljs.getLanguage(name)) return ""; // markdown-it escapes the code itself
  try {
    return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  } catch {
    return "";
  }
}

function createRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false, highlight });
  md.validateLink = (url) => allowedLinkPattern.test(url.trim());
  md.renderer.rules.image = (tokens, index) => {
    const alt = tokens[index]!.children?.map((child) => child.content).join("") ?? "";
    return `<span class="image-placeholder">${md.utils.escapeHtml(`[image${alt ? `: ${alt}` : ""}]`)}</span>`;
  };
  return md;
}

const renderer = createRenderer();

/** Markdown → HTML (first layer only); sanitize before it reaches a DOM. */
export function renderMarkdown(text: string): string {
  return renderer.render(text);
}

/** DOMPurify's allow-list for chat answers: structure and code only, no styles, media or forms. */
export const sanitizeConfig: Config = {
  ALLOWED_TAGS: [
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
  ],
  ALLOWED_ATTR: ["href", "class", "title", "start"],
  ALLOWED_URI_REGEXP: allowedLinkPattern,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
};

/** Both layers: what the page puts into the transcript. */
export function renderSafeMarkdown(text: string, purify: DOMPurify): string {
  return purify.sanitize(renderMarkdown(text), { ...sanitizeConfig, RETURN_TRUSTED_TYPE: false }) as string;
}
