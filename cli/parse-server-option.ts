import { UsageError } from './cli-error.js';

/**
 * `scheme://user:password@host` becomes `scheme://***@host` wherever it occurs in a text: the
 * CLI passes every message it prints through this, so a URL's credentials never reach a
 * terminal or a CI log.
 */
export function redactUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, '$1***@');
}

/**
 * One `--server <source>=<url>` option (run, serve). A URL with credentials (`user:password@`)
 * is refused: arazzo-sfn sends credentials only from secret references, and a URL is printed,
 * logged and kept in the history as `$url`. The message names the URL with its credentials
 * redacted.
 */
export function parseServerOption(pair: string): { readonly name: string; readonly url: string } {
  const eq = pair.indexOf('=');
  const [name, url] = [pair.slice(0, Math.max(eq, 0)), pair.slice(eq + 1)];
  if (!name || !/^https?:\/\//i.test(url)) throw new UsageError(`--server expects <source>=<http(s) url>, got "${redactUserinfo(pair)}"`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--server ${name}: "${redactUserinfo(url)}" is not a URL`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError(
      `--server ${name}: ${redactUserinfo(url)} carries credentials, which would be printed and kept in the execution history ($url); give the server without them and send the credential from a secret reference (a credential input the step puts in a header)`,
    );
  }
  return { name, url };
}
