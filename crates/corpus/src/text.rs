//! Small encoders the documents need: base64, quoted-printable, RFC 2047 encoded words,
//! Latin-1 / Windows-1252, HTML escaping and fixed calendar dates.

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 without line breaks.
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(char::from(B64[(n >> 18) as usize & 63]));
        out.push(char::from(B64[(n >> 12) as usize & 63]));
        out.push(if chunk.len() > 1 {
            char::from(B64[(n >> 6) as usize & 63])
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            char::from(B64[n as usize & 63])
        } else {
            '='
        });
    }
    out
}

/// Base64 in MIME lines of 76 characters, each ended by CRLF.
pub(crate) fn base64_lines(data: &[u8]) -> String {
    let flat = base64(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 38 + 2);
    for line in flat.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// Quoted-printable of text already encoded in its charset; `\n` in the input is a line
/// break (written CRLF), long lines get soft breaks.
pub(crate) fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 11 / 10);
    for line in data.split(|&b| b == b'\n') {
        let mut col = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let enc = b == b'='
                || b >= 0x7f
                || (b < 0x20 && b != b'\t')
                || (last && (b == b' ' || b == b'\t'));
            let piece_len = if enc { 3 } else { 1 };
            if col + piece_len > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            if enc {
                out.push_str(&format!("={b:02X}"));
            } else {
                out.push(char::from(b));
            }
            col += piece_len;
        }
        out.push_str("\r\n");
    }
    // The split gives one line more than there are line breaks.
    out.truncate(out.len() - 2);
    out
}

/// Whether every character fits in ISO-8859-1.
pub(crate) fn is_latin1(s: &str) -> bool {
    s.chars().all(|c| (c as u32) < 0x100)
}

/// Encodes text in Windows-1252 (a superset of printable Latin-1); `None` if a character
/// does not fit.
pub(crate) fn cp1252(s: &str) -> Option<Vec<u8>> {
    s.chars()
        .map(|c| match c {
            '€' => Some(0x80),
            '‚' => Some(0x82),
            '„' => Some(0x84),
            '…' => Some(0x85),
            '‘' => Some(0x91),
            '’' => Some(0x92),
            '“' => Some(0x93),
            '”' => Some(0x94),
            '–' => Some(0x96),
            '—' => Some(0x97),
            c if (c as u32) < 0x80 || (0xa0..0x100).contains(&(c as u32)) => Some(c as u8),
            _ => None,
        })
        .collect()
}

/// An RFC 2047 `B` encoded word in UTF-8.
pub(crate) fn word_b(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

/// An RFC 2047 `Q` encoded word in ISO-8859-1 (the text must be Latin-1).
pub(crate) fn word_q(s: &str) -> String {
    let mut out = String::from("=?ISO-8859-1?Q?");
    for c in s.chars() {
        let b = c as u32;
        match c {
            ' ' => out.push('_'),
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '!' | '*' | '+' | '/' => out.push(c),
            _ => out.push_str(&format!("={:02X}", b & 0xff)),
        }
    }
    out.push_str("?=");
    out
}

/// Escapes text for HTML element content.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A point in time, minutes since 1970-01-01 00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(pub i64);

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1–12, day) of a day number since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Stamp {
    /// 2024-01-08 08:00 UTC plus `days` days.
    pub(crate) fn base(days: i64) -> Stamp {
        Stamp((19_730 + days) * 1440 + 8 * 60)
    }
    fn parts(self) -> (i64, u32, u32, i64, i64, usize) {
        let days = self.0.div_euclid(1440);
        let min = self.0.rem_euclid(1440);
        let (y, m, d) = civil(days);
        (y, m, d, min / 60, min % 60, days.rem_euclid(7) as usize)
    }
    /// `Tue, 12 Mar 2024 10:15:00 +0000`.
    pub(crate) fn rfc2822(self) -> String {
        let (y, m, d, h, mi, wd) = self.parts();
        format!(
            "{}, {d} {} {y} {h:02}:{mi:02}:00 +0000",
            DAYS[wd],
            MONTHS[m as usize - 1]
        )
    }
    /// `Tue Mar 12 10:15:00 2024` (mbox separator lines).
    pub(crate) fn asctime(self) -> String {
        let (y, m, d, h, mi, wd) = self.parts();
        format!(
            "{} {} {d:2} {h:02}:{mi:02}:00 {y}",
            DAYS[wd],
            MONTHS[m as usize - 1]
        )
    }
    /// `2024-03-12`.
    pub(crate) fn date(self) -> String {
        let (y, m, d, ..) = self.parts();
        format!("{y}-{m:02}-{d:02}")
    }
    /// `12 March 2024`.
    pub(crate) fn long_date(self) -> String {
        const FULL: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let (y, m, d, ..) = self.parts();
        format!("{d} {} {y}", FULL[m as usize - 1])
    }
    /// (year, month, day, hour, minute) for archive timestamps.
    pub(crate) fn ymdhm(self) -> (u16, u8, u8, u8, u8) {
        let (y, m, d, h, mi, _) = self.parts();
        (y as u16, m as u8, d as u8, h as u8, mi as u8)
    }
    /// Seconds since the epoch.
    pub(crate) fn unix(self) -> u64 {
        (self.0 * 60) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoders() {
        assert_eq!(base64(b"Zo\xc3\xab"), "Wm/Dqw==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(
            word_q("François Lefèvre"),
            "=?ISO-8859-1?Q?Fran=E7ois_Lef=E8vre?="
        );
        assert_eq!(quoted_printable(b"a=b\nc \n"), "a=3Db\r\nc=20\r\n");
        assert_eq!(cp1252("€ é").as_deref(), Some(&[0x80, b' ', 0xe9][..]));
        assert_eq!(Stamp::base(0).rfc2822(), "Mon, 8 Jan 2024 08:00:00 +0000");
        assert_eq!(Stamp::base(64).date(), "2024-03-12");
    }
}
