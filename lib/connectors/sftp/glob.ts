/**
 * File-name patterns for drop folders: `*` (any run of characters), `?` (one character), `[abc]` /
 * `[a-z]` / `[!abc]` (one of, or none of), and `{csv,ofx}` (alternatives). Matched against the file
 * name only, ignoring case, because banks and exports are inconsistent about `.CSV` versus `.csv`.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  let inAlternatives = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else if (c === "{" && !inAlternatives) {
      inAlternatives = true;
      out += "(?:";
    } else if (c === "}" && inAlternatives) {
      inAlternatives = false;
      out += ")";
    } else if (c === "," && inAlternatives) out += "|";
    else out += c.replace(/[.+^$|()\\{}\]]/g, "\\$&");
  }
  if (inAlternatives) throw new Error(`The file pattern "${pattern}" opens a { without closing it.`);
  return new RegExp(`^${out}$`, "i");
}

export function matchesGlob(name: string, pattern: string): boolean {
  return globToRegExp(pattern).test(name);
}
