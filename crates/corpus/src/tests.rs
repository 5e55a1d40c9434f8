//! Self-checks of whole generated corpora: determinism, placement of the truth, that
//! the files on disk are what the truth says, that mail parses as recorded, and that the
//! planted values are valid while the decoys are not.

use crate::{generate, generate_inner, truth_path, values, FileEntry, Options, Truth};
use mail_parser::MimeHeaders;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    truth: Truth,
    from_log: Vec<(String, Option<String>)>,
}

fn make(orgs: usize, seed: u64) -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("corpus");
    let opts = Options {
        orgs,
        seed,
        size_mb: None,
    };
    let (truth, from_log) = generate_inner(&dir, &opts, true).expect("generate");
    Fixture {
        _tmp: tmp,
        dir,
        truth,
        from_log,
    }
}

/// The default corpus, generated once for all tests.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make(40, 1))
}

fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            walk(&p, base, out);
        } else {
            let rel = p
                .strip_prefix(base)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            out.insert(rel, std::fs::read(&p).expect("read"));
        }
    }
}

fn is_document(f: &FileEntry) -> bool {
    !matches!(f.kind.as_str(), "zip" | "tar.gz" | "gz" | "mbox" | "empty")
}

#[test]
fn same_options_give_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        orgs: 12,
        seed: 9,
        size_mb: None,
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let ta = generate(&a, &opts).expect("a");
    let tb = generate(&b, &opts).expect("b");
    assert_eq!(ta, tb);
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    walk(&a, &a, &mut fa);
    walk(&b, &b, &mut fb);
    assert!(fa.len() > 50);
    assert!(fa == fb, "file trees differ");
    assert_eq!(
        std::fs::read(truth_path(&a)).expect("truth a"),
        std::fs::read(truth_path(&b)).expect("truth b")
    );
    let other = generate(
        &tmp.path().join("c"),
        &Options {
            seed: 10,
            ..opts.clone()
        },
    )
    .expect("c");
    assert_ne!(other.emails, ta.emails);
}

#[test]
fn refuses_a_non_empty_directory_and_zero_orgs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("x"), b"x").expect("write");
    assert!(matches!(
        generate(tmp.path(), &Options::default()),
        Err(crate::Error::NotEmpty(_))
    ));
    let opts = Options {
        orgs: 0,
        ..Options::default()
    };
    assert!(generate(&tmp.path().join("new"), &opts).is_err());
}

#[test]
fn truth_is_beside_the_corpus_not_inside() {
    let f = fixture();
    let tp = truth_path(&f.dir);
    assert_eq!(tp.parent(), f.dir.parent());
    assert_eq!(
        tp.file_name().and_then(|n| n.to_str()),
        Some("corpus.truth.json")
    );
    assert!(!tp.starts_with(&f.dir));
    let loaded = Truth::load(&tp).expect("load");
    assert_eq!(loaded, f.truth);
    assert_eq!(
        truth_path(Path::new("/x/y/")),
        PathBuf::from("/x/y.truth.json")
    );
}

#[test]
fn files_on_disk_match_the_truth() {
    let f = fixture();
    check_files_on_disk_match_the_truth(f);
    let total: u64 = f
        .truth
        .files
        .iter()
        .filter(|e| !e.path.contains('!'))
        .map(|e| e.size)
        .sum();
    assert!(total > 2_000_000 && total < 12_000_000, "{total}");
}

fn check_files_on_disk_match_the_truth(f: &Fixture) {
    let mut disk = BTreeMap::new();
    walk(&f.dir, &f.dir, &mut disk);
    let top: Vec<&FileEntry> = f
        .truth
        .files
        .iter()
        .filter(|e| !e.path.contains('!'))
        .collect();
    assert_eq!(top.len(), disk.len(), "every file is listed once");
    for e in top {
        let bytes = disk
            .get(&e.path)
            .unwrap_or_else(|| panic!("{} missing", e.path));
        assert_eq!(bytes.len() as u64, e.size, "{}", e.path);
        assert_eq!(
            blake3::hash(bytes).to_hex().as_str(),
            e.blake3,
            "{}",
            e.path
        );
    }
}

#[test]
fn counts_are_consistent() {
    let t = &fixture().truth;
    let c = &t.counts;
    let docs: Vec<&FileEntry> = t.files.iter().filter(|f| is_document(f)).collect();
    assert_eq!(c.documents.raw, docs.len() as u64);
    let hashes: BTreeSet<&str> = docs.iter().map(|f| f.blake3.as_str()).collect();
    assert_eq!(c.documents.unique, hashes.len() as u64);
    assert!(c.documents.unique < c.documents.raw);
    assert_eq!(
        t.empty,
        t.files.iter().filter(|f| f.kind == "empty").count() as u64
    );
    assert_eq!(t.empty, 5, "3 files, a zip member and its duplicate");
    let emls = t
        .files
        .iter()
        .filter(|f| f.kind == "eml" || f.kind == "msg")
        .count() as u64;
    assert_eq!(c.messages.raw, emls);
    assert!(c.messages.unique < c.messages.raw);
    for (count, list) in [
        (&c.emails, &t.emails),
        (&c.domains, &t.domains),
        (&c.phones, &t.phones),
        (&c.cards, &t.cards),
        (&c.ibans, &t.ibans),
        (&c.secrets, &t.secrets),
        (&c.persons, &t.persons),
    ] {
        assert_eq!(count.unique, list.len() as u64);
        assert!(count.raw >= count.unique && count.unique > 0);
    }
    assert_eq!(c.emails.raw, c.domains.raw);
    assert_eq!(c.organizations.unique, t.organizations.len() as u64);
    assert_eq!(c.organizations.unique, 41);
    assert_eq!(c.secrets.unique, 4);
    assert_eq!(c.secrets.raw, 7);
    assert!(t.organizations.iter().any(|o| o.branches.len() >= 3));
}

#[test]
fn planted_values_are_valid_and_decoys_are_not() {
    check_planted_values_are_valid_and_decoys_are_not(fixture());
}

fn check_planted_values_are_valid_and_decoys_are_not(f: &Fixture) {
    use phonenumber::Mode;
    let t = &f.truth;
    for c in &t.cards {
        assert!(values::luhn_valid(c) && values::iin_plausible(c), "{c}");
    }
    for c in &t.decoys.cards {
        assert!(!values::luhn_valid(c), "{c}");
    }
    for i in &t.ibans {
        assert!(values::iban_valid(i), "{i}");
    }
    for i in &t.decoys.ibans {
        assert!(!values::iban_valid(i), "{i}");
    }
    for p in &t.phones {
        let n = phonenumber::parse(None, p).expect(p);
        assert!(phonenumber::is_valid(&n), "{p}");
        assert_eq!(&n.format().mode(Mode::E164).to_string(), p);
        assert!(p.bytes().filter(u8::is_ascii_digit).count() <= 12);
    }
    for p in &t.decoys.phones {
        if let Ok(n) = phonenumber::parse(None, p) {
            assert!(!phonenumber::is_valid(&n), "{p}");
        }
    }
    let domains: BTreeSet<&str> = t.domains.iter().map(String::as_str).collect();
    let mut seen = BTreeSet::new();
    for e in &t.emails {
        assert_eq!(e, &e.to_lowercase());
        let host = e.rsplit('@').next().expect("host");
        let d = psl::domain_str(host).expect("registrable");
        assert!(domains.contains(d), "{d}");
        seen.insert(d);
    }
    assert_eq!(seen, domains);
    assert!(domains.contains("contoso.de") && domains.contains("northwind-systems.de"));
    for d in &t.decoys.emails {
        assert!(!t.emails.contains(&d.to_lowercase()), "{d}");
    }
    for d in [
        "pkg@1.2.3",
        "user@localhost",
        "logo@2x.png",
        crate::mail::HTML_ONLY_ADDRESS,
    ] {
        assert!(t.decoys.emails.iter().any(|x| x == d), "{d}");
    }
    assert!(t
        .decoys
        .emails
        .iter()
        .any(|x| x.starts_with("image001.png@")));
    for o in &t.organizations {
        for b in &o.branches {
            assert_eq!(crate::normalize_org(&b.name), o.name);
        }
    }
    assert!(t.persons.iter().any(|p| !p.is_ascii()));
    assert!(t
        .secrets
        .iter()
        .any(|s| s.starts_with("aws_access_key:AKIA")));
}

#[test]
fn every_eml_parses_and_its_sender_name_is_as_recorded() {
    check_every_eml_parses_and_its_sender_name_is_as_recorded(fixture());
}

fn check_every_eml_parses_and_its_sender_name_is_as_recorded(f: &Fixture) {
    assert!(f.from_log.len() > 10);
    let hashes: BTreeMap<&str, &str> = f
        .truth
        .files
        .iter()
        .filter(|e| e.path.starts_with("mailboxes/"))
        .map(|e| (e.path.as_str(), e.blake3.as_str()))
        .collect();
    let truth_children: BTreeSet<&str> = hashes.keys().copied().collect();
    let mut forwarded = 0;
    let mut named = 0;
    for (path, name) in &f.from_log {
        let bytes = std::fs::read(f.dir.join(path)).expect("read eml");
        let msg = mail_parser::MessageParser::default()
            .parse(&bytes)
            .unwrap_or_else(|| panic!("{path} does not parse"));
        let got = msg.from().and_then(|a| a.first()).and_then(|a| a.name());
        assert_eq!(got, name.as_deref(), "{path}");
        named += usize::from(name.is_some());
        assert!(msg.message_id().is_some());
        for a in msg.attachments() {
            let n = a.attachment_name().expect("attachments are named");
            let child = format!("{path}!{n}");
            assert_eq!(
                hashes.get(child.as_str()).copied(),
                Some(blake3::hash(a.contents()).to_hex().as_str()),
                "{child}"
            );
            forwarded += usize::from(a.message().is_some());
        }
        let kids = truth_children
            .iter()
            .filter(|c| c.starts_with(&format!("{path}!")) && !c[path.len() + 1..].contains('!'))
            .count();
        assert_eq!(kids, msg.attachment_count(), "{path}");
    }
    assert!(named > 5);
    if f.truth.orgs >= 40 {
        assert!(forwarded > 0);
    }
}

#[test]
fn mbox_members_are_what_mail_parser_yields() {
    check_mbox_members_are_what_mail_parser_yields(fixture());
}

fn check_mbox_members_are_what_mail_parser_yields(f: &Fixture) {
    let by_path: BTreeMap<&str, &str> = f
        .truth
        .files
        .iter()
        .map(|e| (e.path.as_str(), e.blake3.as_str()))
        .collect();
    let mut n = 0;
    for e in f.truth.files.iter().filter(|e| e.kind == "mbox") {
        let file = std::fs::File::open(f.dir.join(&e.path)).expect("open mbox");
        let it = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(file));
        for (i, m) in it.enumerate() {
            let m = m.expect("mbox message");
            let key = format!("{}!{}", e.path, i + 1);
            assert_eq!(
                by_path.get(key.as_str()).copied(),
                Some(blake3::hash(m.contents()).to_hex().as_str()),
                "{key}"
            );
            n += 1;
        }
    }
    assert_eq!(n, 24);
}

fn check_zip(bytes: &[u8], prefix: &str, by_path: &BTreeMap<&str, &str>, seen: &mut usize) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("member");
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("inflate");
        let key = format!("{prefix}!{}", e.name());
        assert_eq!(
            by_path.get(key.as_str()).copied(),
            Some(blake3::hash(&data).to_hex().as_str()),
            "{key}"
        );
        *seen += 1;
        if key.ends_with(".zip") {
            check_zip(&data, &key, by_path, seen);
        }
    }
}

#[test]
fn archive_members_are_listed_with_their_hashes() {
    check_archive_members_are_listed_with_their_hashes(fixture());
}

fn check_archive_members_are_listed_with_their_hashes(f: &Fixture) {
    let by_path: BTreeMap<&str, &str> = f
        .truth
        .files
        .iter()
        .map(|e| (e.path.as_str(), e.blake3.as_str()))
        .collect();
    let mut seen = 0;
    for e in f
        .truth
        .files
        .iter()
        .filter(|e| e.kind == "zip" && !e.path.contains('!'))
    {
        let bytes = std::fs::read(f.dir.join(&e.path)).expect("zip");
        check_zip(&bytes, &e.path, &by_path, &mut seen);
    }
    assert_eq!(seen, 14, "2 copies × (5 members + 2 nested)");
    let gz = std::fs::read(f.dir.join("bundles/mail_backup.tar.gz")).expect("tgz");
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(gz.as_slice()));
    let mut members = 0;
    for e in ar.entries().expect("entries") {
        let mut e = e.expect("entry");
        let name = e.path().expect("path").to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("read");
        let key = format!("bundles/mail_backup.tar.gz!{name}");
        assert_eq!(
            by_path.get(key.as_str()).copied(),
            Some(blake3::hash(&data).to_hex().as_str()),
            "{key}"
        );
        members += 1;
    }
    assert_eq!(members, 4);
}

/// Every digit chain (digits with single spaces or dashes between groups) of 13 digits
/// or more is a planted card, a card decoy, or lies inside an IBAN (whose windows were
/// checked at generation).
#[test]
fn no_accidental_long_digit_runs() {
    check_no_accidental_long_digit_runs(fixture());
}

fn check_no_accidental_long_digit_runs(f: &Fixture) {
    let t = &f.truth;
    let allowed: BTreeSet<&str> = t
        .cards
        .iter()
        .chain(t.decoys.cards.iter())
        .map(String::as_str)
        .collect();
    let iban_digits: Vec<String> = t
        .ibans
        .iter()
        .chain(t.decoys.ibans.iter())
        .map(|i| i.chars().filter(char::is_ascii_digit).collect())
        .collect();
    let mut checked = 0;
    for e in t.files.iter().filter(|e| !e.path.contains('!')) {
        if !matches!(
            e.kind.as_str(),
            "sql" | "csv" | "json" | "ndjson" | "text" | "html" | "env" | "eml"
        ) {
            continue;
        }
        let bytes = std::fs::read(f.dir.join(&e.path)).expect("read");
        let mut chain = String::new();
        let mut pending_sep = false;
        let flush = |chain: &mut String, checked: &mut usize| {
            if chain.len() >= 13 {
                *checked += 1;
                let ok = allowed.contains(chain.as_str())
                    || iban_digits.iter().any(|d| d.contains(chain.as_str()));
                assert!(ok, "{}: stray digit run {chain}", e.path);
            }
            chain.clear();
        };
        for &b in &bytes {
            if b.is_ascii_digit() {
                chain.push(char::from(b));
                pending_sep = false;
            } else if (b == b' ' || b == b'-') && !chain.is_empty() && !pending_sep {
                pending_sep = true;
            } else {
                flush(&mut chain, &mut checked);
                pending_sep = false;
            }
        }
        flush(&mut chain, &mut checked);
    }
    assert!(checked > 0);
}

#[test]
fn other_seeds_and_sizes_hold_the_invariants() {
    for (orgs, seed) in [(3, 2), (17, 3), (60, 4)] {
        let f = make(orgs, seed);
        check_files_on_disk_match_the_truth(&f);
        check_every_eml_parses_and_its_sender_name_is_as_recorded(&f);
        check_mbox_members_are_what_mail_parser_yields(&f);
        check_archive_members_are_listed_with_their_hashes(&f);
        check_no_accidental_long_digit_runs(&f);
        check_planted_values_are_valid_and_decoys_are_not(&f);
    }
}
