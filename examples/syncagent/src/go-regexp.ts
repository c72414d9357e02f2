/**
 * Regular expressions as PublishedResources write them: Go RE2 syntax with Go's replacement templates
 * (`$1`, `${name}`, `$$`). The pattern is translated to a JavaScript RegExp (named groups `(?P<n>…)`, a
 * leading `(?i)`/`(?s)`/`(?m)` flag group); RE2 constructs JavaScript lacks fail to compile with a clear
 * message. Replacement expansion follows Go's `Regexp.Expand`: `$1x` means the group named `1x`
 * (empty), so write `${1}x`.
 */

/** A pattern that does not compile; the message includes the engine's reason. */
export class RegexpSyntaxError extends Error {
  override readonly name = 'RegexpSyntaxError';
}

/** A compiled pattern with Go's `ReplaceAllString`. */
export interface GoRegexp {
  readonly source: string;
  replaceAll(input: string, template: string): string;
  test(input: string): boolean;
}

/** Compiles a Go RE2 pattern. Throws {@link RegexpSyntaxError}. */
export function compileGoRegexp(pattern: string): GoRegexp {
  let body = pattern;
  // Unicode mode only when a pattern needs it (\p{…}): it rejects escapes RE2 allows, such as `\-`.
  let flags = /\\[pP]\{/.test(pattern) ? 'gu' : 'g';
  const leading = /^\(\?([ims]+)\)/.exec(body);
  if (leading) {
    for (const f of leading[1] as string) if (!flags.includes(f)) flags += f;
    body = body.slice(leading[0].length);
  }
  body = body.replaceAll('(?P<', '(?<');
  if (/\\[zAQE]|\[\[:/.test(body)) {
    throw new RegexpSyntaxError(
      `invalid pattern "${pattern}": \\z, \\A, \\Q…\\E and [[:class:]] are not supported here`,
    );
  }
  let regexp: RegExp;
  try {
    regexp = new RegExp(body, flags);
  } catch (error) {
    throw new RegexpSyntaxError(`invalid pattern "${pattern}": ${(error as Error).message}`);
  }
  return {
    source: pattern,
    test: (input) => {
      regexp.lastIndex = 0;
      return regexp.test(input);
    },
    replaceAll: (input, template) =>
      input.replace(regexp, (...args: unknown[]) => {
        const hasGroups = typeof args.at(-1) === 'object' && args.at(-1) !== undefined;
        const groups = (hasGroups ? args.at(-1) : undefined) as
          | Record<string, string | undefined>
          | undefined;
        const numbered = args.slice(0, hasGroups ? -3 : -2) as Array<string | undefined>;
        return expandGoTemplate(template, numbered, groups);
      }),
  };
}

/** Go's `Regexp.Expand` for one match: `numbered[0]` is the whole match. */
function expandGoTemplate(
  template: string,
  numbered: Array<string | undefined>,
  named: Record<string, string | undefined> | undefined,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const rest = template.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const match = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (!match) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const name = match[1] as string;
    out += /^\d+$/.test(name) ? (numbered[Number(name)] ?? '') : (named?.[name] ?? '');
    i = dollar + 1 + match[0].length;
  }
  return out;
}
