//! RTF: compressed RTF as Outlook stores it (MS-OXRTFCP, "LZFu"), and RTF reduced to its
//! text — enough for message bodies: groups that are not text (font and colour tables,
//! pictures, embedded objects, `{\*…}` destinations) are skipped, `\par` becomes a line
//! break, `\'hh` and `\uN` become characters. RTF that encapsulates HTML (`\fromhtml`)
//! keeps its text and drops its tags.

/// The dictionary every compressed-RTF stream starts with (MS-OXRTFCP 2.1.3.1.1).
const PREBUF: &[u8] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

const LZFU: u32 = 0x7546_5a4c;
const MELA: u32 = 0x414c_454d;

/// Decompresses an Outlook compressed-RTF stream; output is capped at `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let word = |i: usize| -> Option<u32> {
        Some(u32::from_le_bytes(data.get(i..i + 4)?.try_into().ok()?))
    };
    let raw_size = word(4)? as usize;
    let kind = word(8)?;
    let body = data.get(16..)?;
    if kind == MELA {
        return Some(body[..body.len().min(raw_size).min(limit)].to_vec());
    }
    if kind != LZFU {
        return None;
    }
    let mut dict = [0u8; 4096];
    dict[..PREBUF.len()].copy_from_slice(PREBUF);
    let mut wpos = PREBUF.len();
    let cap = raw_size.min(limit);
    let mut out = Vec::with_capacity(cap.min(1 << 20));
    let mut i = 0;
    while i < body.len() && out.len() < cap {
        let control = body[i];
        i += 1;
        for bit in 0..8 {
            if i >= body.len() || out.len() >= cap {
                break;
            }
            if control & (1 << bit) == 0 {
                let b = body[i];
                i += 1;
                out.push(b);
                dict[wpos] = b;
                wpos = (wpos + 1) % 4096;
            } else {
                // A stream cut inside a reference keeps what it decoded so far.
                let (Some(&hi), Some(&lo)) = (body.get(i), body.get(i + 1)) else {
                    return Some(out);
                };
                let (hi, lo) = (hi as usize, lo as usize);
                i += 2;
                let offset = (hi << 4) | (lo >> 4);
                let len = (lo & 0x0f) + 2;
                if offset == wpos {
                    return Some(out);
                }
                for k in 0..len {
                    let b = dict[(offset + k) % 4096];
                    out.push(b);
                    dict[wpos] = b;
                    wpos = (wpos + 1) % 4096;
                }
            }
        }
    }
    out.truncate(cap);
    Some(out)
}

/// Destinations whose content is not text.
const SKIP: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"header",
    b"footer",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
    b"xmlnstbl",
    b"themedata",
    b"datastore",
    b"latentstyles",
];

/// The text of an RTF document (Windows-1252 for `\'hh` escapes).
pub fn to_text(rtf: &[u8]) -> String {
    let mut out = String::new();
    // Per group: (skipping, unicode fallback count).
    let mut stack: Vec<(bool, usize)> = vec![(false, 1)];
    let mut skip_chars = 0usize;
    let mut i = 0;
    let mut new_group = false;
    let mut pending_bytes: Vec<u8> = Vec::new();
    let flush = |pending: &mut Vec<u8>, out: &mut String| {
        if !pending.is_empty() {
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(pending)
                    .0,
            );
            pending.clear();
        }
    };
    while i < rtf.len() {
        let c = rtf[i];
        let skipping = stack.last().is_some_and(|s| s.0);
        match c {
            b'{' => {
                flush(&mut pending_bytes, &mut out);
                let top = stack.last().copied().unwrap_or((false, 1));
                if stack.len() < 512 {
                    stack.push(top);
                }
                new_group = true;
                i += 1;
                continue;
            }
            b'}' => {
                flush(&mut pending_bytes, &mut out);
                if stack.len() > 1 {
                    stack.pop();
                }
                i += 1;
            }
            b'\\' => {
                let Some(&n) = rtf.get(i + 1) else { break };
                if n == b'*' {
                    if let Some(top) = stack.last_mut() {
                        top.0 = true;
                    }
                    i += 2;
                } else if n == b'\'' {
                    let hex = rtf
                        .get(i + 2..i + 4)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        if skip_chars > 0 {
                            skip_chars -= 1;
                        } else if !skipping {
                            pending_bytes.push(b);
                        }
                    }
                    i += 4;
                } else if n.is_ascii_alphabetic() {
                    let start = i + 1;
                    let mut j = start;
                    while j < rtf.len() && rtf[j].is_ascii_alphabetic() {
                        j += 1;
                    }
                    let word = &rtf[start..j];
                    let num_start = j;
                    if j < rtf.len() && rtf[j] == b'-' {
                        j += 1;
                    }
                    while j < rtf.len() && rtf[j].is_ascii_digit() {
                        j += 1;
                    }
                    let num: Option<i64> = std::str::from_utf8(&rtf[num_start..j])
                        .ok()
                        .and_then(|s| s.parse().ok());
                    if j < rtf.len() && rtf[j] == b' ' {
                        j += 1;
                    }
                    i = j;
                    if new_group && SKIP.contains(&word) {
                        if let Some(top) = stack.last_mut() {
                            top.0 = true;
                        }
                    }
                    if word == b"htmltag" {
                        if let Some(top) = stack.last_mut() {
                            top.0 = true;
                        }
                    }
                    let skipping = stack.last().is_some_and(|s| s.0);
                    if skipping {
                        new_group = false;
                        continue;
                    }
                    match word {
                        b"par" | b"line" | b"sect" | b"page" => {
                            flush(&mut pending_bytes, &mut out);
                            out.push('\n');
                        }
                        b"tab" | b"cell" => {
                            flush(&mut pending_bytes, &mut out);
                            out.push('\t');
                        }
                        b"row" => {
                            flush(&mut pending_bytes, &mut out);
                            out.push('\n');
                        }
                        b"uc" => {
                            if let Some(top) = stack.last_mut() {
                                top.1 = num.unwrap_or(1).clamp(0, 16) as usize;
                            }
                        }
                        b"u" => {
                            flush(&mut pending_bytes, &mut out);
                            if let Some(n) = num {
                                let code = if n < 0 { n + 65536 } else { n };
                                if let Some(ch) = u32::try_from(code).ok().and_then(char::from_u32)
                                {
                                    out.push(ch);
                                }
                            }
                            skip_chars = stack.last().map_or(1, |s| s.1);
                        }
                        _ => {}
                    }
                } else {
                    // Escaped symbol: \\ \{ \} or a control symbol such as \~.
                    if !skipping {
                        match n {
                            b'\\' | b'{' | b'}' => pending_bytes.push(n),
                            b'~' => pending_bytes.push(b' '),
                            _ => {}
                        }
                    }
                    i += 2;
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if skip_chars > 0 {
                    skip_chars -= 1;
                } else if !skipping {
                    pending_bytes.push(c);
                }
                i += 1;
            }
        }
        new_group = false;
    }
    flush(&mut pending_bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_decompresses() {
        // MS-OXRTFCP 3.1.1: "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n".
        let comp: [u8; 0x2d] = [
            0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
            0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
            0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
            0x6c, 0x64, 0x7d,
        ];
        let mut data = comp.to_vec();
        data.extend_from_slice(&[0x0a, 0x80, 0x0f, 0xa0]);
        let out = decompress(&data, 1 << 20).expect("decompresses");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
    }

    #[test]
    fn text_skips_tables_and_decodes_escapes() {
        let rtf = br"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\colortbl;\red0;}{\*\generator x;}Gr\'fc\'dfe Zo\u235?\par Call +49 30 1234567{\pict 0102}\par}";
        let t = to_text(rtf);
        assert_eq!(t, "Grüße Zoë\nCall +49 30 1234567\n");
        let wrapped = leakdex_corpus::office::rtf_mela(b"{\\rtf1 hi}");
        assert_eq!(
            decompress(&wrapped, 100).as_deref(),
            Some(&b"{\\rtf1 hi}"[..])
        );
    }
}
