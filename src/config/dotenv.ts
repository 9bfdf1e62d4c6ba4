/**
 * A small dotenv parser: KEY=value lines, optional `export`, # comments, single quotes
 * (literal), double quotes (with \n escapes, may span lines). No variable expansion inside files.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(lines[i]);
    if (!match) continue;
    const key = match[1];
    let rest = match[2];
    if (rest.startsWith('"')) {
      let body = rest.slice(1);
      while (!hasClosingQuote(body) && i + 1 < lines.length) body += '\n' + lines[++i];
      const end = closingQuoteIndex(body);
      out[key] = unescapeDouble(end === -1 ? body : body.slice(0, end));
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      out[key] = end === -1 ? rest.slice(1) : rest.slice(1, end);
    } else {
      const hash = rest.search(/\s#/);
      if (hash !== -1) rest = rest.slice(0, hash);
      out[key] = rest.trim();
    }
  }
  return out;
}

function closingQuoteIndex(body: string): number {
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') i++;
    else if (body[i] === '"') return i;
  }
  return -1;
}

function hasClosingQuote(body: string): boolean {
  return closingQuoteIndex(body) !== -1;
}

function unescapeDouble(text: string): string {
  return text.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[c] ?? c);
}
