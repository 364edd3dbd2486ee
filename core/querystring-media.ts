import { isFormMediaType, isJsonMediaType, mediaTypeOf } from './media-type.js';

/**
 * Arazzo 1.1 §Parameter Object: a querystring value "MUST match the media type format as expressed
 * by the parameter's `content` field". Returns why `text` does not, or undefined when it does or
 * when the media type is one this cannot judge (anything but form pairs and JSON: sent as given).
 * No `content` means form pairs, as the runtime sends it. The compiler checks a literal with this,
 * the runtime the evaluated value: one rule, so the two cannot disagree.
 */
export function querystringMismatch(contentType: string | undefined, text: string): string | undefined {
  const media = contentType === undefined ? 'application/x-www-form-urlencoded' : mediaTypeOf(contentType);
  if (isFormMediaType(media)) return formMismatch(text.replace(/^\?/, ''));
  if (isJsonMediaType(media)) {
    try {
      JSON.parse(text);
      return undefined;
    } catch (err) {
      return `is not ${media}: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/**
 * Form pairs are percent-encoded (WHATWG URL §application/x-www-form-urlencoded): a `%` that does not
 * start an escape, or escapes that do not decode as UTF-8, leave the receiver to guess what was meant.
 * Characters a URL cannot hold (a space) are unambiguous and are percent-encoded when sent.
 */
function formMismatch(text: string): string | undefined {
  const stray = /%(?![0-9A-Fa-f]{2})/.exec(text);
  if (stray) return `is not application/x-www-form-urlencoded: "${text.slice(stray.index, stray.index + 3)}" at offset ${stray.index} is not a percent-escape (write %25 for a literal %)`;
  for (const piece of text.split(/[&=]/)) {
    try {
      decodeURIComponent(piece.replace(/\+/g, ' '));
    } catch {
      return `is not application/x-www-form-urlencoded: the percent-escapes of "${piece.slice(0, 40)}" are not UTF-8`;
    }
  }
  return undefined;
}
