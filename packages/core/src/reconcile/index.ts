export * from './apply.ts';
export * from './conditions.ts';
export * from './create-or-patch.ts';
export * from './create-or-update.ts';
export * from './finalizers.ts';
export * from './merge-from.ts';
export type { MutateOptions, MutateResult, ObjectKey } from './mutated-object.ts';
export * from './owner-references.ts';
export * from './request.ts';
