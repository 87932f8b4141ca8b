/** Text for HTML, escaped. */
export const esc = (text: unknown): string =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A tagged template whose ${values} are escaped unless they are Html already. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(parts: TemplateStringsArray, ...values: unknown[]): Html {
  let out = parts[0]!;
  values.forEach((v, i) => {
    out += (Array.isArray(v) ? v.map(piece).join('') : piece(v)) + parts[i + 1]!;
  });
  return new Html(out);
}

const piece = (v: unknown): string =>
  v instanceof Html ? v.text : v === undefined || v === null || v === false ? '' : esc(v);

export const raw = (text: string): Html => new Html(text);

/** A check's page: its id's segments encoded, the slashes kept. */
export const checkHref = (id: string): string => `/checks/${id.split('/').map(encodeURIComponent).join('/')}`;
