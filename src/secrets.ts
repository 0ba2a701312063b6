/**
 * Secret redaction. Connection strings, SAS tokens and passwords come from the environment;
 * anything that could print or log them passes through `redact` first.
 */

const knownSecrets = new Set<string>();

/** Remembers a value that must never be printed (e.g. the value of an interpolated ${VAR}). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  // postgres://user:password@host -> postgres://user:***@host; up to the last @ of the URL,
  // since a password may hold "@" and "/" itself. "<password>" is the placeholder of hints.
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]+:)(?!<password>@)[^\s"'`]*@/gi, '$1***@'],
  // libpq keyword form: password=secret
  [/(\bpassword\s*=\s*)('[^']*'|[^\s;]+)/gi, '$1***'],
  // Azure connection strings
  [/(AccountKey=)[^;\s]+/gi, '$1***'],
  [/(SharedAccessSignature=)[^;\s]+/gi, '$1***'],
  // SAS query parameters: sig is the secret part, wherever it stands (also URL-encoded)
  [/(\bsig(?:=|%3D))[^&\s"'`]+/gi, '$1***'],
];

/** Returns the text with every known secret and every secret-shaped substring replaced. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('***');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
