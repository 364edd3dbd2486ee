/** What a callback body reads as; `undefined` when it is neither JSON nor a form. */
export type ParsedCallbackBody = { readonly ok: true; readonly body: unknown } | { readonly ok: false };

/**
 * A callback body as the step's criteria and outputs read it (`$response.body`): JSON, or a
 * form (`application/x-www-form-urlencoded`, as Fintecture sends its webhooks) read as an object
 * of its fields (the first of a repeated field). Both receivers, the webhook Lambda and the local
 * one, read bodies through this one function.
 */
export function parseCallbackBody(raw: Buffer, contentType: string | undefined): ParsedCallbackBody {
  const text = raw.toString('utf8');
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of new URLSearchParams(text)) if (!(name in fields)) fields[name] = value;
    return { ok: true, body: { ...fields } };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
