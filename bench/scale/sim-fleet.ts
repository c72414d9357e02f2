/**
 * Names shared by the simulated-scale server and controller. Kept apart from `sim-server.ts`, whose
 * top-level code starts a FakeApiServer: importing it from the controller would start a second server
 * inside the measured process.
 */

/** The provider workspace holding the APIExport and its endpoint slice. */
export const PROVIDER_WORKSPACE = 'root:provider';
/** The APIExport (and endpoint slice) name. */
export const EXPORT_NAME = 'widgets';

/** Logical cluster name of the i-th consumer workspace. */
export const clusterName = (i: number): string => `ws${i.toString(36).padStart(4, '0')}`;
