/**
 * Which functions a run covers: name globs (`*` any run, `?` one character) and tag equality.
 * A function is kept when it matches some include glob (or none are given), no exclude glob,
 * every include tag, and no exclude tag.
 */
export interface FunctionFilter {
  include?: string[];
  exclude?: string[];
  includeTags?: Record<string, string>;
  excludeTags?: Record<string, string>;
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function hasTagFilters(filter: FunctionFilter): boolean {
  return (
    Object.keys(filter.includeTags ?? {}).length > 0 ||
    Object.keys(filter.excludeTags ?? {}).length > 0
  );
}

export function createFunctionFilter(
  filter: FunctionFilter,
): (name: string, tags: Record<string, string>) => boolean {
  const include = (filter.include ?? []).map(globToRegExp);
  const exclude = (filter.exclude ?? []).map(globToRegExp);
  const includeTags = Object.entries(filter.includeTags ?? {});
  const excludeTags = Object.entries(filter.excludeTags ?? {});
  return (name, tags) => {
    if (include.length > 0 && !include.some((re) => re.test(name))) return false;
    if (exclude.some((re) => re.test(name))) return false;
    if (!includeTags.every(([k, v]) => tags[k] === v)) return false;
    if (excludeTags.some(([k, v]) => tags[k] === v)) return false;
    return true;
  };
}
