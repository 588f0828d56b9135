// Label key and value validation with apimachinery's exact wording
// (k8s.io/apimachinery/pkg/util/validation/validation.go: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain).
// The messages end up verbatim in 400 responses, so the regex text and the odd double spaces of RegexError stay.

/** validation.IsQualifiedName (a label key) and IsValidLabelValue: one implementation, shared with ObjectMeta validation. */
export { isQualifiedName as qualifiedNameErrors, isValidLabelValue as labelValueErrors } from '../schema/names.ts';

/** strconv.Quote (Go's %q) for the ASCII cases that matter; printable Unicode stays as is, like Go. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\x07': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\v': out += '\\v'; break;
      default:
        out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return `${out}"`;
}

/** field.Invalid(path, value, detail).Error() for a string value. A nil path prints as "<nil>". */
export function invalidFieldMessage(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${goQuote(value)}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated inside brackets. */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
