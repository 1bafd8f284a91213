/**
 * Wildcard paths for external tags (`metadata.tags`), matched against a field's full name
 * (e.g. `com.acme.Customer.email`). Same semantics as Confluent's matcher:
 * `?` = one character other than `.`, `*` = zero or more characters within a segment,
 * `**` = any characters across segments (`**.*` is read as `**`), `\\` escapes the next
 * character, and the whole name must match. Case-sensitive.
 */

const cache = new Map<string, RegExp | null>();

function toRegExpSource(glob: string): string {
  const src = glob.replaceAll('**.*', '**');
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '*') {
      if (src[i + 1] === '*') {
        out += '.*';
        i++;
      } else {
        out += '[^.]*';
      }
    } else if (c === '?') {
      out += '[^.]';
    } else if (c === '\\') {
      const next = src[i + 1];
      if (next === undefined) {
        out += '\\\\';
      } else {
        out += next.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i++;
      }
    } else {
      // Escape the other regex-special characters. `[...]` stays a character class, as in
      // Confluent's matcher, so a path selects the same fields in both implementations.
      out += c.replace(/[.+^${}()|/]/g, '\\$&');
    }
  }
  return `^(?:${out})$`;
}

/** True if `name` matches the wildcard `pattern` as a whole. */
export function wildcardMatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(toRegExpSource(pattern), 'u');
    } catch {
      re = null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re !== null && re.test(name);
}

/**
 * All tags of a field: its inline tags plus every external tag whose path matches its full name.
 */
export function fieldTags(
  fullName: string,
  inline: Iterable<string> | undefined,
  external: Readonly<Record<string, readonly string[]>> | undefined,
): Set<string> {
  const tags = new Set<string>(inline ?? []);
  if (external) {
    for (const [path, list] of Object.entries(external)) {
      if (wildcardMatch(fullName, path)) for (const t of list) tags.add(t);
    }
  }
  return tags;
}
