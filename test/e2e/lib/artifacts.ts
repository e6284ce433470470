// What a failed (or passed) case leaves behind in test-results/e2e/<case>/: the server's whole
// log folder, plus the two files one reads first: the extension's output channel and the
// extension host log, across every window load of the case.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function collectLogs(logsDir: string, artifactsDir: string, extensionId: string): void {
  if (!existsSync(logsDir)) return;
  cpSync(logsDir, path.join(artifactsDir, 'logs'), { recursive: true });
  let extension = '';
  let exthost = '';
  for (const session of readdirSync(logsDir).sort()) {
    const sessionDir = path.join(logsDir, session);
    for (const rel of readdirSync(sessionDir, { recursive: true }) as string[]) {
      const parts = rel.split(path.sep);
      const file = path.join(sessionDir, rel);
      if (/^exthost\d*$/.test(parts[0]) && parts[1] === extensionId && parts.length === 3) {
        extension += `--- ${session}/${parts.slice(1).join('/')}\n${read(file)}`;
      } else if (/^exthost\d*$/.test(parts[0]) && parts[1] === 'remoteexthost.log') {
        exthost += `--- ${session}\n${read(file)}`;
      }
    }
  }
  writeFileSync(path.join(artifactsDir, 'extension.log'), extension || '(no output channel log found)\n');
  writeFileSync(path.join(artifactsDir, 'exthost.log'), exthost || '(no extension host log found)\n');
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
