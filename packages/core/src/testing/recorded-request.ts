/** One request the fake API server received, for assertions such as "exactly one LIST and one WATCH". */
export interface RecordedRequest {
  /** HTTP method, e.g. `GET`. */
  readonly method: string;
  /** URL path, including any `/clusters/<name>` prefix. */
  readonly path: string;
  /** Query parameters (the last value wins for repeated ones). */
  readonly query: Readonly<Record<string, string>>;
  /** Whether this was a watch (`watch=true` or `watch=1`). */
  readonly watch: boolean;
  /** When it arrived (`Date.now()`). */
  readonly at: number;
  /** HTTP status of the response, once the server started answering. */
  status: number | undefined;
}
