/**
 * A problem with one field of a PublishedResource, named by its path (`spec.naming.name`), so a controller
 * can put the whole list into a status condition or an event instead of failing on the first one.
 */

/** One problem: the field path and what is wrong with it. */
export interface FieldProblem {
  /** e.g. `spec.mutation.spec[0].cel.expression`. */
  path: string;
  message: string;
}

/** `path: message`, the form problems take in conditions, events and errors. */
export function formatFieldProblem(problem: FieldProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** An error that carries the field it is about; thrown by compile steps, collected by validation. */
export class FieldProblemError extends Error {
  override readonly name = 'FieldProblemError';
  readonly problem: FieldProblem;
  constructor(problem: FieldProblem) {
    super(formatFieldProblem(problem));
    this.problem = problem;
  }
}
