// Escaping for text and attribute values in HTML and inline SVG. Every string that reaches a report
// (labels, config values, error messages) goes through here, so a label like "<script>" stays text.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}
