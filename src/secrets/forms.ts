/**
 * The spellings under which a secret value shows up in output: as it is, escaped inside JSON (an app that logs
 * `JSON.stringify(process.env)`), percent-encoded (a query string), base64-encoded on its own (a Kubernetes Secret's
 * `data`, a Basic auth header), and, for a URL such as DATABASE_URL, its
 * password on its own, raw and decoded (a database driver's error or an app's config dump prints it alone).
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(encodeURIComponent(value));
  forms.add(Buffer.from(value, 'utf8').toString('base64'));
  for (const part of urlCredentials(value)) {
    forms.add(part);
    forms.add(safeDecode(part));
  }
  forms.delete('');
  return [...forms];
}

/** The userinfo password (and a user that is a token, as in https://TOKEN@host) of a URL-shaped value. */
function urlCredentials(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const parts: string[] = [];
  if (url.password) parts.push(url.password);
  else if (url.username.length >= 16) parts.push(url.username);
  return parts;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
