//! Ground truth: `leakdex scan` of generated corpora must reproduce, exactly, what the
//! generator recorded while writing (docs/counting.md) — for several seeds and sizes.

use crate::util::*;
use leakdex_core::{mask_card, mask_iban};
use std::collections::BTreeSet;
use std::path::Path;

fn generate(dir: &Path, seed: u64, orgs: usize, size: Option<u64>) -> serde_json::Value {
    let out = dir.join(format!("corpus-{seed}"));
    let seed_s = seed.to_string();
    let orgs_s = orgs.to_string();
    let mut args = vec![
        "-q",
        "corpus",
        "generate",
        "--out",
        s(&out),
        "--seed",
        &seed_s,
        "--orgs",
        &orgs_s,
    ];
    let size_s = size.map(|m| m.to_string());
    if let Some(m) = &size_s {
        args.extend(["--size", m.as_str()]);
    }
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let truth_path = dir.join(format!("corpus-{seed}.truth.json"));
    assert!(
        truth_path.is_file(),
        "the truth file is written beside the corpus"
    );
    assert!(!out.join(format!("corpus-{seed}.truth.json")).exists());
    serde_json::from_slice(&std::fs::read(truth_path).unwrap()).unwrap()
}

fn strings(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn check(seed: u64, orgs: usize, size: Option<u64>) {
    let dir = tempdir();
    let truth = generate(dir.path(), seed, orgs, size);
    let corpus = dir.path().join(format!("corpus-{seed}"));
    let findings = dir.path().join("findings.jsonl");
    let report = scan_json(&[s(&corpus), "--findings", s(&findings)]);

    for kind in [
        "documents",
        "messages",
        "emails",
        "domains",
        "phones",
        "cards",
        "ibans",
        "secrets",
        "persons",
        "organizations",
    ] {
        for which in ["raw", "unique"] {
            assert_eq!(
                count(&report, kind, which),
                truth["counts"][kind][which].as_u64().unwrap(),
                "seed {seed}: {kind}.{which}"
            );
        }
    }
    assert_eq!(report["empty"], truth["empty"], "seed {seed}: empty");
    assert_eq!(
        report["unreadable"].as_array().unwrap().len(),
        0,
        "seed {seed}: {}",
        report["unreadable"]
    );
    assert!(
        count(&report, "emails", "unique") > 50,
        "seed {seed}: the corpus is too small to prove much"
    );

    let lines = std::fs::read_to_string(&findings).unwrap();
    let mut found: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for l in lines.lines() {
        let f: serde_json::Value = serde_json::from_str(l).unwrap();
        found
            .entry(f["kind"].as_str().unwrap().to_string())
            .or_default()
            .insert(f["value"].as_str().unwrap().to_string());
    }
    let get = |k: &str| found.get(k).cloned().unwrap_or_default();
    assert_eq!(
        get("email"),
        strings(&truth["emails"]),
        "seed {seed}: e-mail set"
    );
    assert_eq!(
        get("phone"),
        strings(&truth["phones"]),
        "seed {seed}: phone set"
    );
    assert_eq!(
        get("person"),
        strings(&truth["persons"]),
        "seed {seed}: person set"
    );
    let domains: BTreeSet<String> = get("email")
        .iter()
        .filter_map(|e| leakdex_core::registrable_domain(e.rsplit_once('@').unwrap().1))
        .collect();
    assert_eq!(
        domains,
        strings(&truth["domains"]),
        "seed {seed}: domain set"
    );
    let orgs: BTreeSet<String> = truth["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(get("organization"), orgs, "seed {seed}: organisation set");
    let cards: BTreeSet<String> = strings(&truth["cards"])
        .iter()
        .map(|c| mask_card(c))
        .collect();
    assert_eq!(get("card"), cards, "seed {seed}: masked cards");
    let ibans: BTreeSet<String> = strings(&truth["ibans"])
        .iter()
        .map(|c| mask_iban(c))
        .collect();
    assert_eq!(get("iban"), ibans, "seed {seed}: masked IBANs");

    // No decoy anywhere, and nothing in clear that must be masked.
    let decoy_emails = strings(&truth["decoys"]["emails"]);
    assert!(!decoy_emails.is_empty());
    for d in &decoy_emails {
        assert!(
            !get("email").contains(&d.to_lowercase()),
            "seed {seed}: decoy {d} counted"
        );
    }
    for c in strings(&truth["cards"])
        .iter()
        .chain(strings(&truth["ibans"]).iter())
    {
        assert!(
            !lines.contains(c.as_str()),
            "seed {seed}: a card or IBAN in clear"
        );
    }
    // Branches in several countries group under one organisation.
    let multi = truth["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["branches"].as_array().unwrap().len() > 1)
        .count();
    assert!(multi > 0, "seed {seed}: no organisation with branches");
}

#[test]
fn default_corpus_matches_its_truth() {
    check(1, 40, None);
}

#[test]
fn another_seed_and_size_match_too() {
    check(7, 17, None);
}

#[test]
fn many_orgs_match() {
    check(42, 120, None);
}

#[test]
fn a_scaled_corpus_matches() {
    check(3, 30, Some(25));
}

#[test]
fn generation_is_deterministic() {
    let a = tempdir();
    let b = tempdir();
    let ta = generate(a.path(), 5, 12, None);
    let tb = generate(b.path(), 5, 12, None);
    assert_eq!(ta["files"], tb["files"]);
    assert_eq!(ta["counts"], tb["counts"]);
}
