// The syncagent's entry point; see README.md.
export {};
