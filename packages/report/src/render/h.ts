/**
 * A tiny typed HTML builder: text and attribute values are always escaped, markup only comes from
 * `h()` itself, so input from manifests (names, messages) can never become markup.
 */

/** HTML built by {@link h}: the only thing inserted without escaping. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** What an element may contain: text (escaped), numbers, built HTML, nothing, or lists of these. */
export type Child = string | number | SafeHtml | null | undefined | false | readonly Child[];

/** Attribute values: strings and numbers are escaped; `true` writes the bare name; `false`/`undefined` omit it. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

const NAME = /^[a-z][a-z0-9-]*$/;
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

function renderChild(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (child instanceof SafeHtml) return child.html;
  if (Array.isArray(child)) return (child as readonly Child[]).map(renderChild).join('');
  return escapeHtml(String(child));
}

/** One element. Tag and attribute names are code, checked; everything else is escaped. */
export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): SafeHtml {
  if (!NAME.test(tag)) throw new Error(`h(): invalid tag name ${JSON.stringify(tag)}`);
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attributes)) {
    if (!NAME.test(name)) throw new Error(`h(): invalid attribute name ${JSON.stringify(name)}`);
    if (value === undefined || value === false) continue;
    open += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  if (VOID.has(tag)) return new SafeHtml(`${open}>`);
  return new SafeHtml(`${open}>${renderChild(children)}</${tag}>`);
}

/** Style sheet text for a `<style>` element: our own constant CSS, refused if it could close the element. */
export function styleSheet(css: string): SafeHtml {
  if (/<\//.test(css)) throw new Error('styleSheet(): CSS may not contain "</"');
  return new SafeHtml(`<style>${css}</style>`);
}

/** Several children as one. */
export function fragment(...children: Child[]): SafeHtml {
  return new SafeHtml(renderChild(children));
}
