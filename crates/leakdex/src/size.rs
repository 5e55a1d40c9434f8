//! Human sizes on the command line: `512M`, `8G`, `1048576`.

/// Parses a byte size with an optional K/M/G/T suffix (powers of 1024).
pub fn parse(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                'B' => 1,
                _ => return Err(format!("unknown size suffix in {s:?} (use K, M, G or T)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (examples: 4096, 512M, 8G)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::parse("512M"), Ok(512 << 20));
        assert_eq!(super::parse("8g"), Ok(8 << 30));
        assert_eq!(super::parse("100"), Ok(100));
        assert!(super::parse("5X").is_err());
        assert!(super::parse("").is_err());
    }
}
