/**
 * An offline check of the relative links and `#anchors` in Markdown files, as GitHub resolves
 * them: a link's file must exist, and its anchor must be a heading's slug in the target file (or
 * an explicit `<a id="…">` / `<a name="…">`). Links to http(s), mailto and other schemes are not
 * checked. Links and headings inside fenced code blocks and inline code do not count.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((line, i) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    out.push({ line, number: i + 1 });
  });
  return out;
}

/** A line without its inline code spans (a link written in backticks is not a link). */
const withoutCode = (line: string): string => line.replace(/(`+)[\s\S]*?\1/g, '');

/**
 * A heading's anchor as GitHub makes it: the text as rendered (link text, no markup), lower
 * case, every character that is not a letter, digit, space, `-` or `_` removed, spaces to `-`.
 */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/(\*\*|__|\*)/g, '') // emphasis markers (a lone `_` is kept, as GitHub does)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file has: heading slugs (repeats get -1, -2, …) and explicit HTML anchors. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const html of line.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) {
      found.add(html[1]);
    }
  }
  return found;
}

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Every link target of a file: inline links and images, and reference definitions. */
export function links(markdown: string, file: string): Link[] {
  const out: Link[] = [];
  for (const { line, number } of proseLines(markdown)) {
    const text = withoutCode(line);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (definition) out.push({ file, line: number, target: definition[1] });
    for (const inline of text.matchAll(
      /!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+["'][^)]*["'])?\s*\)/g,
    )) {
      out.push({ file, line: number, target: inline[1] });
    }
  }
  return out;
}

/** Whether a target is checked here: not a URL with a scheme (http:, https:, mailto:, …). */
const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

/**
 * The broken links of the given files (paths relative to `root`), as
 * `file:line: target: what is wrong`. Empty when every relative link and anchor resolves.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string) => {
    let found = anchorCache.get(path);
    if (!found) {
      found = anchors(readFileSync(path, 'utf8'));
      anchorCache.set(path, found);
    }
    return found;
  };
  const problems: string[] = [];
  for (const file of files) {
    const path = join(root, file);
    for (const link of links(readFileSync(path, 'utf8'), file)) {
      if (isExternal(link.target)) continue;
      const where = `${link.file}:${link.line}: ${link.target}`;
      const hash = link.target.indexOf('#');
      const pathPart = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
      const anchor = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
      const target = pathPart === '' ? path : resolve(dirname(path), pathPart);
      if (!existsSync(target)) {
        problems.push(`${where}: no such file ${relative(root, target)}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(target).isDirectory() || !target.endsWith('.md')) {
        problems.push(`${where}: an anchor on ${relative(root, target)}, which is not Markdown`);
      } else if (!anchorsOf(target).has(anchor)) {
        problems.push(`${where}: no heading or <a id> "${anchor}" in ${relative(root, target)}`);
      }
    }
  }
  return problems;
}
