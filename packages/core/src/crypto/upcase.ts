// Upper-casing as Windows does it for NTLM (RtlUpcaseUnicodeString): one UTF-16 code unit to one code
// unit. JavaScript's toUpperCase() is Unicode's full case mapping, which changes lengths ('ß' → 'SS',
// 'ﬁ' → 'FI'); Windows keeps such characters, and never changes a surrogate (non-BMP characters stay).

/**
 * `text` upper-cased code unit by code unit, by each unit's simple uppercase mapping: a unit whose full upper
 * case is not one code unit keeps its simple mapping (most often itself).
 */
export function upcaseUnicode(text: string): string {
  if (isAscii(text)) return text.toUpperCase();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]!;
    const code = unit.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      out += unit;
      continue;
    }
    const upper = unit.toUpperCase();
    out += upper.length === 1 ? upper : simpleUpper(code, unit);
  }
  return out;
}

/**
 * A unit whose full upper case is longer: its simple uppercase mapping (UnicodeData.txt field 12), which is
 * what a one-unit table holds. Only the Greek letters with ypogegrammeni have one other than themselves (ᾀ →
 * ᾈ, ᾳ → ᾼ, ῃ → ῌ, ῳ → ῼ); the others ('ß', 'ŉ', 'ﬁ', 'ΐ', …) stay as they are.
 */
function simpleUpper(code: number, unit: string): string {
  if ((code >= 0x1f80 && code <= 0x1f87) || (code >= 0x1f90 && code <= 0x1f97) || (code >= 0x1fa0 && code <= 0x1fa7)) {
    return String.fromCharCode(code + 8);
  }
  if (code === 0x1fb3 || code === 0x1fc3 || code === 0x1ff3) return String.fromCharCode(code + 9);
  return unit;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
