//! Human sizes and durations on the command line: `512M`, `8G`, `1048576`; `30s`, `24h`.

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

/// Parses a duration: a number with a unit, `ms`, `s`, `m`, `h` or `d` (`500ms`, `30s`,
/// `24h`); a bare number is seconds.
pub fn duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (examples: 500ms, 30s, 10m, 24h)"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        u => {
            return Err(format!(
                "unknown unit {u:?} in {s:?} (use ms, s, m, h or d)"
            ))
        }
    };
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| format!("{s:?} is out of range"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(super::duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(super::duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(super::duration("24h"), Ok(Duration::from_secs(86400)));
        assert_eq!(super::duration("2"), Ok(Duration::from_secs(2)));
        assert!(super::duration("5x").is_err());
        assert!(super::duration("").is_err());
        assert!(super::duration("-1s").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(super::parse("512M"), Ok(512 << 20));
        assert_eq!(super::parse("8g"), Ok(8 << 30));
        assert_eq!(super::parse("100"), Ok(100));
        assert!(super::parse("5X").is_err());
        assert!(super::parse("").is_err());
    }
}
