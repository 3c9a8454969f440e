// Turns an unsuccessful registry response into a RegistryError the way
// distribution's client.HandleErrorResponse does: OAuth errors from the
// WWW-Authenticate header first, then the JSON `errors` body.
import { parseChallenges } from './auth';
import { RegistryError, RegistryErrorEntry, entryText, kindForCode } from './errors';
import { HttpResponse, header, readBody } from './http';

const STANDARD_MESSAGE: Record<string, string> = {
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  TOOMANYREQUESTS: 'too many requests',
  UNKNOWN: 'unknown error',
};

export async function errorFromResponse(res: HttpResponse): Promise<RegistryError> {
  let body: Buffer = Buffer.alloc(0);
  try {
    body = await readBody(res, 64 * 1024);
  } catch {
    // an unreadable error body leaves only the status to go on
  }
  return errorFromParts(res.status, res.statusText, res.headers['content-type'], header(res, 'www-authenticate'), body);
}

export function errorFromParts(
  status: number,
  statusText: string,
  contentType: string | undefined,
  wwwAuthenticate: string | undefined,
  body: Buffer,
): RegistryError {
  if (status < 400 || status >= 500) {
    return new RegistryError('other', `received unexpected HTTP status: ${status} ${statusText}`.trim(), { status });
  }
  const entries: RegistryErrorEntry[] = [];
  for (const c of parseChallenges(wwwAuthenticate)) {
    if (c.scheme !== 'bearer') continue;
    const code = c.params['error'] === 'invalid_token' ? 'UNAUTHORIZED' : c.params['error'] === 'insufficient_scope' ? 'DENIED' : '';
    if (!code) continue;
    entries.push({ code, message: c.params['error_description'] || STANDARD_MESSAGE[code]! });
    break;
  }
  entries.push(...parseBody(status, contentType, body));
  const first = entries[0]!;
  return new RegistryError(kindForCode(first.code, status), entryText(first), { code: first.code, status, errors: entries });
}

function statusCode(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 429) return 'TOOMANYREQUESTS';
  return 'UNKNOWN';
}

function parseBody(status: number, contentType: string | undefined, body: Buffer): RegistryErrorEntry[] {
  const text = body.toString('utf8');
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json' || mime === 'application/vnd.api+json' || (!mime && text.trim().startsWith('{'))) {
    try {
      const parsed = JSON.parse(text) as { details?: string; errors?: Array<{ code?: string; message?: string; detail?: unknown }> };
      if (typeof parsed.details === 'string' && parsed.details) {
        return [{ code: statusCode(status), message: parsed.details }];
      }
      if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        return parsed.errors.map((e) => {
          const code = typeof e.code === 'string' && e.code ? e.code.toUpperCase() : 'UNKNOWN';
          return { code, message: e.message ?? STANDARD_MESSAGE[code] ?? '', detail: e.detail };
        });
      }
    } catch {
      // fall through: not the distribution error format
    }
    if (status === 401) return [{ code: 'UNAUTHORIZED', message: STANDARD_MESSAGE['UNAUTHORIZED']!, detail: text }];
    return [{ code: statusCode(status), message: `error parsing HTTP ${status} response body: ${JSON.stringify(text)}` }];
  }
  const trimmed = text.trim();
  if (status === 404 && !trimmed) return [{ code: 'UNKNOWN', message: 'not found' }];
  if (status === 401 && !trimmed) return [{ code: 'UNAUTHORIZED', message: STANDARD_MESSAGE['UNAUTHORIZED']! }];
  return [{ code: statusCode(status), message: trimmed || `${status}` }];
}
