/** A non-blank line of a text file with its 1-based line number. */
export interface TextLine {
  text: string;
  line: number;
}

/** Splits text into lines (LF or CRLF, BOM dropped), skipping blank lines but keeping their numbering. */
export function textLines(text: string): TextLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines: TextLine[] = [];
  const raw = body.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const value = raw[i].endsWith('\r') ? raw[i].slice(0, -1) : raw[i];
    if (value.trim() !== '') lines.push({ text: value, line: i + 1 });
  }
  return lines;
}

/**
 * Splits one CSV line (RFC 4180 quoting, `""` inside quotes is a quote). Returns undefined when a quote is
 * left open. `trimLeadingSpace` drops spaces after separators, as AudioSet's `YTID, start, end, "labels"` needs.
 */
export function splitCsvLine(line: string, trimLeadingSpace = false): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (trimLeadingSpace) while (line[i] === ' ') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += line[i++];
        }
      }
      // Text between a closing quote and the next separator is kept, as lenient readers do.
      while (i < line.length && line[i] !== ',') field += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the separator
  }
}

/** Joins a root folder and a relative path with `/`, leaving absolute paths and empty roots alone. */
export function joinPath(root: string, relative: string): string {
  if (root === '' || relative.startsWith('/') || /^[A-Za-z]:[\\/]/.test(relative)) return relative;
  return root.endsWith('/') || root.endsWith('\\') ? root + relative : `${root}/${relative}`;
}

/** The file name without folders and without its last extension. */
export function stem(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The path without its last extension (folders kept). */
export function withoutExtension(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}
