/**
 * The delay a `Retry-After` header asks for, in whole seconds (RFC 9110 §10.2.3): either
 * delta-seconds (`5`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`; a
 * date in the past is 0). Anything else (empty, negative, a fraction, an unparsable date) is no
 * hint at all: undefined. Callers clamp the result to their own bound.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Number(value);
  // An IMF-fixdate (or the obsolete forms Date.parse reads): it names a weekday and a time zone.
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
