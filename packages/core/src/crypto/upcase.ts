// Upper-casing as Windows does it for NTLM (RtlUpcaseUnicodeString): one UTF-16 code unit to one code
// unit. JavaScript's toUpperCase() is Unicode's full case mapping, which changes lengths ('ß' → 'SS',
// 'ﬁ' → 'FI'); Windows keeps such characters, and never changes a surrogate (non-BMP characters stay).

/** `text` upper-cased code unit by code unit; a unit whose upper case is not one code unit stays as it is. */
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
    out += upper.length === 1 ? upper : unit;
  }
  return out;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
