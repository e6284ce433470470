// Editor → RefactorTarget: the selection, or (with an empty selection) the function around the
// cursor as the language's document symbol provider reports it.
import * as vscode from "vscode";
import type { RefactorTarget } from "../../core/refactor/refactorTarget.js";

const functionKinds = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);

interface FlatSymbol {
  kind: vscode.SymbolKind;
  range: vscode.Range;
  depth: number;
}

async function documentSymbols(document: vscode.TextDocument): Promise<FlatSymbol[]> {
  let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
  try {
    symbols = await vscode.commands.executeCommand("vscode.executeDocumentSymbolProvider", document.uri);
  } catch {
    return []; // no symbol provider for this language
  }
  const flat: FlatSymbol[] = [];
  const visit = (symbol: vscode.DocumentSymbol | vscode.SymbolInformation, depth: number) => {
    if ("location" in symbol) {
      flat.push({ kind: symbol.kind, range: symbol.location.range, depth });
      return;
    }
    flat.push({ kind: symbol.kind, range: symbol.range, depth });
    for (const child of symbol.children ?? []) visit(child, depth + 1);
  };
  for (const symbol of symbols ?? []) visit(symbol, 0);
  return flat;
}

/** Whole lines: from the start of the first line, so the function's indentation is part of it. */
function wholeLines(document: vscode.TextDocument, range: vscode.Range): vscode.Range {
  const end = range.end.line + 1 < document.lineCount ? new vscode.Position(range.end.line + 1, 0) : document.lineAt(range.end.line).range.end;
  return new vscode.Range(new vscode.Position(range.start.line, 0), end);
}

/**
 * The target of a refactor run. Symbols are asked for only when needed (the cursor's function, or
 * where "Extract function" puts the new one): a language server can take seconds to answer.
 */
export async function refactorTargetFrom(editor: vscode.TextEditor, options: { insertionPoint: boolean }): Promise<RefactorTarget | undefined> {
  const { document } = editor;
  const symbols = editor.selection.isEmpty || options.insertionPoint ? await documentSymbols(document) : [];
  let range: vscode.Range = editor.selection;
  if (editor.selection.isEmpty) {
    const cursor = editor.selection.active;
    const around = symbols
      .filter((symbol) => functionKinds.has(symbol.kind) && symbol.range.contains(cursor))
      .sort((a, b) => b.depth - a.depth)[0];
    if (!around) return undefined;
    range = wholeLines(document, around.range);
  }
  if (!document.getText(range).trim()) return undefined;
  // "Extract function" puts the new function before the outermost declaration holding the code.
  const outermost = symbols.filter((symbol) => symbol.depth === 0 && symbol.range.contains(range.start)).sort((a, b) => a.range.start.compareTo(b.range.start))[0];
  const insertionLine = outermost?.range.start.line ?? range.start.line;
  const editorOptions = editor.options;
  return {
    uri: document.uri.toString(),
    displayPath: vscode.workspace.asRelativePath(document.uri),
    languageId: document.languageId,
    documentText: document.getText(),
    version: document.version,
    selection: { start: document.offsetAt(range.start), end: document.offsetAt(range.end) },
    eol: document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n",
    indentation: {
      insertSpaces: editorOptions.insertSpaces !== false,
      tabSize: typeof editorOptions.tabSize === "number" ? editorOptions.tabSize : 4,
    },
    insertionOffset: options.insertionPoint ? document.offsetAt(new vscode.Position(insertionLine, 0)) : undefined,
  };
}
