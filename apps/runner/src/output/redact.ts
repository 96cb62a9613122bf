/**
 * A last line of defence before anything is printed or logged: passwords inside connection URLs
 * (`postgres://user:secret@host`) and `password=...` pairs are masked, whoever produced the text.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi, '$1***');
}
