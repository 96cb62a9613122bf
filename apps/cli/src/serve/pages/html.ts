/**
 * Server-rendered HTML with every interpolated value escaped: pages are built from `html`
 * templates only, so a recipient's name or an error message can never become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(strings.reduce((out, string, i) => out + string + (i < parts.length ? render(parts[i] as Part) : ''), ''));
}

/** A whole page: no inline script or style (the CSP forbids them), Ferry's stylesheet, and `scripts` served by Ferry itself. */
export function page(
  title: string,
  body: Html,
  options: { scripts?: readonly string[]; styles?: readonly string[]; refreshSeconds?: number } = {},
): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${title} · Ferry</title>
<link rel="stylesheet" href="/assets/ferry.css">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<header><span class="brand">Ferry</span></header>
<main>
${body}
</main>
</body>
</html>
`.text;
}

/** A short time, UTC, for tables. */
export function when(date: Date | null | undefined): string {
  return date ? `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC` : '—';
}
