// @ts-check
// Makes the API reference build fail on a public member without a doc comment, and on nothing else of
// typedoc's validation: typedoc reports an undocumented member as a warning (and
// `treatValidationWarningsAsErrors` would also fail on every unresolved link), so the `notDocumented`
// message alone is turned into an error here.

/** @param {import('typedoc').Application} app */
export function load(app) {
  const logger = app.logger;
  const warn = logger.validationWarning.bind(logger);
  /** @type {typeof logger.validationWarning} */
  logger.validationWarning = (message, ...rest) => {
    if (message.includes('does not have any documentation')) {
      logger.error(`${message} (every public member needs a doc comment that says what it is for)`, ...rest);
    } else {
      warn(message, ...rest);
    }
  };
}
