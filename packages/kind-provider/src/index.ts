/**
 * kubeloom's kind provider: kind clusters as kubeloom clusters. This first part talks to the `kind` CLI;
 * the provider that engages clusters builds on it.
 *
 * @packageDocumentation
 */
export * from './kind-cli.ts';
