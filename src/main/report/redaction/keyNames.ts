import type { RedactionRule } from './types';

/**
 * Key-name rules: decide whether the value stored under a name (env var, ConfigMap key,
 * YAML/JSON field, `KEY=value` in a log) is a credential.
 *
 * Names are split into whole-word segments (`_ - . /` separators and camelCase humps), so
 * `api_key`, `secretKey`, `AUTH_TOKEN`, `X-Api-Key` match while `keyboard`, `monkey`,
 * `tokenizer`, `author`, `authority` do not: a sensitive word must be a whole segment
 * (or a known compound such as `apikey`, `authtoken`, `pgpassword`).
 * Names that *refer* to a secret rather than hold it (`secretName`, `secretKeyRef`,
 * `tokenFile`, `keySize`, `tokenTtlSeconds`) are recognised by their last segment and left alone.
 */

const NON_SECRET_LAST_SEGMENTS = new Set([
  'name', 'names', 'ref', 'refs', 'reference', 'path', 'paths', 'file', 'files', 'dir', 'directory',
  'namespace', 'type', 'types', 'kind', 'length', 'len', 'size', 'bits', 'ttl', 'seconds', 'secs', 'minutes',
  'hours', 'days', 'expiry', 'expiration', 'expires', 'timeout', 'lifetime', 'age', 'enabled', 'disabled',
  'required', 'mode', 'algorithm', 'alg', 'url', 'uri', 'endpoint', 'header', 'field', 'prefix', 'suffix',
  'format', 'version', 'count', 'id', 'ids', 'selector', 'provider', 'method', 'policy', 'store', 'location',
  'mount', 'volume', 'issuer', 'audience', 'scope', 'scopes', 'status', 'created', 'updated', 'rotation',
]);

// A `key` segment preceded by one of these is a database/cache/data-structure key, not a credential.
const NON_CREDENTIAL_KEY_QUALIFIERS = new Set([
  'public', 'primary', 'foreign', 'sort', 'partition', 'cache', 'routing', 'shard', 'hash', 'lookup', 'map',
  'dict', 'row', 'column', 'index', 'group', 'label', 'node', 'topology', 'idempotency', 'composite', 'unique',
  'object', 's3', 'bucket', 'config', 'annotation', 'metric', 'dedup', 'rate', 'limit',
]);

const CREDENTIAL_SEGMENTS = new Set([
  'secret', 'secrets', 'token', 'tokens', 'key', 'keys', 'credential', 'credentials', 'creds', 'auth',
  'apikey', 'apikeys', 'privatekey', 'secretkey', 'accesskey', 'authtoken', 'accesstoken', 'refreshtoken',
  'idtoken', 'clientsecret', 'sessionkey', 'signingkey', 'encryptionkey', 'masterkey', 'bearertoken',
  'webhooksecret', 'sessiontoken', 'csrftoken', 'xsrftoken', 'authkey', 'appkey', 'appsecret', 'jwtsecret',
]);

const PASSWORD_SEGMENT = /pass(?:word|wd|phrase)|^pwd$|^pass$|^pw$/;

/** Split `DJANGO_SECRET_KEY`, `secretKeyRef`, `client-key-data`, `X-Api-Key` into lowercase segments. */
export function splitKeyName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((s) => s.length > 0);
}

export interface KeyClassificationOptions {
  /**
   * A field literally named `key` is, in Kubernetes objects, nearly always a reference
   * (`secretKeyRef.key`, `items[].key`, `tolerations[].key`). Data maps (ConfigMap data)
   * pass true because there `key` is an arbitrary entry name.
   */
  bareKeyIsSensitive?: boolean;
}

/** The rule that hides a value stored under `name`, or null when the name is not sensitive. */
export function classifyKeyName(name: string, opts: KeyClassificationOptions = {}): RedactionRule | null {
  const segments = splitKeyName(name);
  if (segments.length === 0) return null;
  const joined = segments.join('_');

  if (/(^|_)(aws_)?secret_access_key$/.test(joined)) return 'aws-secret-access-key';
  if (/(^|_)aws_access_key_id$/.test(joined) || joined === 'access_key_id') return 'aws-access-key-id';
  if (/^minio_(root_user|root_password|access_key|secret_key)$/.test(joined)) return 'minio';
  if (/(^|_)root_(user|password)$/.test(joined) || joined === 'rootuser' || joined === 'rootpassword') return 'minio';
  if (joined === 'client_key_data' || joined === 'client_certificate_data') return 'kubeconfig';

  const last = segments[segments.length - 1];
  if (NON_SECRET_LAST_SEGMENTS.has(last)) return null;
  if (segments.includes('public')) return null;
  if (!opts.bareKeyIsSensitive && segments.length === 1 && (last === 'key' || last === 'keys')) return null;

  if (segments.some((s) => PASSWORD_SEGMENT.test(s))) return 'password';
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (!CREDENTIAL_SEGMENTS.has(s)) continue;
    if ((s === 'key' || s === 'keys') && i > 0 && NON_CREDENTIAL_KEY_QUALIFIERS.has(segments[i - 1])) continue;
    return 'credential';
  }
  return null;
}

/**
 * Values that carry no secret even under a sensitive name: booleans, nulls, empty strings,
 * masks and template references (`${POSTGRES_PASSWORD}`, `$(TOKEN)`, `{{ .Values.x }}`),
 * and tokens already written by this engine.
 */
export function isNonSecretValue(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/^(?:true|false|yes|no|on|off|null|nil|none|undefined|enabled|disabled|required|optional)$/i.test(v)) return true;
  if (/^[*xX•.]+$/.test(v) || /^<(?:redacted|hidden|masked|none|nil)>$/i.test(v)) return true;
  if (/^\$\{[^}]{1,100}\}$/.test(v) || /^\$\([^)]{1,100}\)$/.test(v) || /^\{\{[^}]{1,200}\}\}$/.test(v)) return true;
  if (/^\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\]$/.test(v)) return true;
  return false;
}
