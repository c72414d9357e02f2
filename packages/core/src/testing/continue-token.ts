/** What a LIST continue token remembers: the snapshot's resourceVersion and the last key returned. */
export interface ContinuePosition {
  /** resourceVersion of the snapshot the first page was served from. */
  rv: number;
  /** Store key of the last object returned; the next page starts after it. */
  after: string;
}

/** Encodes a continue token (opaque base64url JSON, like a real API server's). */
export function encodeContinueToken(position: ContinuePosition): string {
  return Buffer.from(
    JSON.stringify({ v: 'kubeloom.fake/v1', rv: position.rv, after: position.after }),
  ).toString('base64url');
}

/** Decodes a continue token; `undefined` when it is not one this server issued. */
export function decodeContinueToken(token: string): ContinuePosition | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      value.v !== 'kubeloom.fake/v1' ||
      !Number.isSafeInteger(value.rv) ||
      typeof value.after !== 'string'
    ) {
      return undefined;
    }
    return { rv: value.rv as number, after: value.after };
  } catch {
    return undefined;
  }
}
