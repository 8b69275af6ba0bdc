// JSON paths as findings spell them: `spec.template.spec.containers[0].env["A-B"]`.

/** Appends a property or index to a JSON path. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : isIdentifier(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

// /^[A-Za-z_][A-Za-z0-9_]*$/ without a regular expression: called for every field the validator
// walks, most of which it never reports.
function isIdentifier(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}
