//! Hostile input: bombs, deep nesting, truncation and a 1 GB line each end as an
//! `unreadable` entry or a bounded scan — and the run completes with the rest counted.

use crate::util::*;
use std::io::Write;
use std::path::Path;

fn zip_bytes(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A control file with one known address, so every test also proves the run went on.
fn control(dir: &Path) {
    std::fs::write(
        dir.join("control.txt"),
        "reach me at control@leakdex-test.de\n",
    )
    .unwrap();
}

fn unreadable(r: &serde_json::Value) -> Vec<(String, String)> {
    r["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap().to_string(),
                u["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn zip_bomb_is_stopped_by_the_ratio() {
    let dir = tempdir();
    control(dir.path());
    // 256 MiB of zeros deflate to ~250 KiB: a ratio of ~1000.
    let zeros = vec![0u8; 256 << 20];
    let bomb = zip_bytes(&[("a.txt", b"first@leakdex-test.de"), ("zeros.bin", &zeros)]);
    drop(zeros);
    std::fs::write(dir.path().join("bomb.zip"), bomb).unwrap();
    let r = scan_json(&[s(dir.path())]);
    let u = unreadable(&r);
    assert_eq!(u.len(), 1, "{u:?}");
    assert!(u[0].0.ends_with("bomb.zip"), "{u:?}");
    assert!(u[0].1.contains("zip bomb"), "{u:?}");
    // The control file and the member before the bomb still count.
    assert_eq!(count(&r, "emails", "unique"), 2);
}

#[test]
fn gzip_bomb_is_stopped_too() {
    let dir = tempdir();
    control(dir.path());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..200 {
        gz.write_all(&chunk).unwrap();
    }
    std::fs::write(dir.path().join("big.txt.gz"), gz.finish().unwrap()).unwrap();
    let r = scan_json(&[s(dir.path())]);
    let u = unreadable(&r);
    assert_eq!(u.len(), 1, "{u:?}");
    assert!(u[0].1.contains("expands beyond"), "{u:?}");
    assert_eq!(count(&r, "emails", "unique"), 1);
}

#[test]
fn twenty_nested_archives_stop_at_the_depth_limit() {
    let dir = tempdir();
    control(dir.path());
    let mut data = b"deep@leakdex-test.de".to_vec();
    let mut name = "deep.txt".to_string();
    for level in 0..20 {
        data = zip_bytes(&[
            (&name, &data),
            (
                "shallow.txt",
                format!("l{level}@leakdex-test.de").as_bytes(),
            ),
        ]);
        name = format!("level{level}.zip");
    }
    std::fs::write(dir.path().join("nested.zip"), data).unwrap();
    let r = scan_json(&[s(dir.path())]);
    // The zip at depth 5 is opened; both its members (depth 6) are refused.
    let u = unreadable(&r);
    assert_eq!(u.len(), 2, "{u:?}");
    for (path, reason) in &u {
        assert!(reason.contains("nested deeper than 5"), "{u:?}");
        assert_eq!(path.matches('!').count(), 6, "{u:?}");
    }
    // control + the shallow files of the 5 levels that were opened (depths 1..=5)
    // and not the deep one.
    assert_eq!(count(&r, "emails", "unique"), 1 + 5);
}

#[test]
fn truncated_zip_is_unreadable_and_the_rest_counts() {
    let dir = tempdir();
    control(dir.path());
    let z = zip_bytes(&[
        ("a.csv", b"email\nx@leakdex-test.de\n"),
        ("b.txt", &[b'x'; 10_000]),
    ]);
    std::fs::write(dir.path().join("cut.zip"), &z[..z.len() / 2]).unwrap();
    let r = scan_json(&[s(dir.path())]);
    let u = unreadable(&r);
    assert_eq!(u.len(), 1, "{u:?}");
    assert!(u[0].1.contains("corrupt zip"), "{u:?}");
    assert_eq!(count(&r, "emails", "unique"), 1);
}

#[test]
fn truncated_and_garbage_inputs_never_kill_the_run() {
    let dir = tempdir();
    control(dir.path());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&b"a@leakdex-test.de\n".repeat(10_000))
        .unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(dir.path().join("cut.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(
        dir.path().join("cut.json"),
        b"{\"a\": [\"x@leakdex-test.de\", {\"b\":",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cut.sql"),
        b"INSERT INTO t VALUES ('y@leakdex-test.de'), ('unterminated",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("noise.bin"),
        (0..=255u8).cycle().take(100_000).collect::<Vec<u8>>(),
    )
    .unwrap();
    let mut tar = vec![0u8; 512];
    tar[257..262].copy_from_slice(b"ustar");
    std::fs::write(dir.path().join("bad.tar"), tar).unwrap();
    let r = scan_json(&[s(dir.path())]);
    let u = unreadable(&r);
    let paths: Vec<&str> = u
        .iter()
        .map(|(p, _)| p.rsplit('/').next().unwrap())
        .collect();
    assert!(paths.contains(&"cut.gz"), "{u:?}");
    assert!(paths.contains(&"cut.json"), "{u:?}");
    assert!(paths.contains(&"bad.tar"), "{u:?}");
    // The control file, the JSON value before the cut and the complete SQL tuple count.
    assert_eq!(count(&r, "emails", "unique"), 3);
}

#[test]
fn a_one_gigabyte_line_is_scanned_in_bounded_pieces() {
    let dir = tempdir();
    let path = dir.path().join("line.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    // 1 GiB without a newline; an address every 1 MiB, one straddling each 64 KiB cut
    // would be lost if pieces were cut blindly.
    let filler = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
    let mut written = 0usize;
    let mut planted = 0u64;
    while written < (1 << 30) {
        if written % (1 << 20) < filler.len() {
            let a = format!("user{}@leakdex-test.de ", planted % 1000);
            f.write_all(a.as_bytes()).unwrap();
            written += a.len();
            planted += 1;
        }
        f.write_all(filler).unwrap();
        written += filler.len();
    }
    f.flush().unwrap();
    drop(f);
    let r = scan_json(&[s(&path)]);
    assert_eq!(count(&r, "emails", "raw"), planted);
    assert_eq!(count(&r, "emails", "unique"), planted.min(1000));
    assert_eq!(unreadable(&r).len(), 0);
}
