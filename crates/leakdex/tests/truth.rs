//! Ground truth: `leakdex scan` of generated corpora must reproduce, exactly, what the
//! generator recorded while writing (docs/counting.md) — for several seeds and sizes.

use crate::util::*;
use leakdex_core::{mask_card, mask_iban};
use std::collections::BTreeSet;

fn strings(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn check(seed: u64, orgs: usize, size: Option<u64>) {
    let dir = tempdir();
    let (corpus, truth) = generate(dir.path(), seed, orgs, size);
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
    let (_, ta) = generate(a.path(), 5, 12, None);
    let (_, tb) = generate(b.path(), 5, 12, None);
    assert_eq!(ta["files"], tb["files"]);
    assert_eq!(ta["counts"], tb["counts"]);
}

/// The index stores the scan as a content-addressed graph (see `leakdex_scan::observe`)
/// and derives raw counts as path counts through it: those must equal the scanner's
/// own raw counts and the generator's truth.
#[test]
fn path_counts_through_the_observed_graph_equal_raw_counts() {
    use leakdex_scan::observe::{Hash, Observer, TopSummary};
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collect(Mutex<Vec<TopSummary>>);
    impl Observer for Collect {
        fn begin(&self, _: &Hash) -> Option<u64> {
            Some(0)
        }
        fn end(&self, _: u64, summary: TopSummary) {
            self.0.lock().unwrap().push(summary);
        }
    }

    let dir = tempdir();
    let (corpus, truth) = generate(dir.path(), 11, 25, None);
    let collect = Collect::default();
    let report = leakdex_scan::Scanner::new(leakdex_scan::Config::default())
        .run_observed(&[corpus], None, Some(&collect))
        .unwrap();
    let tops = collect.0.into_inner().unwrap();

    let mut nodes = HashMap::new();
    let mut parents: HashMap<Hash, Vec<Hash>> = HashMap::new();
    let mut top_count: HashMap<Hash, u64> = HashMap::new();
    for t in &tops {
        *top_count.entry(t.hash).or_default() += 1;
        // Two workers may decode the same bytes at once and both report the node; like
        // the index, keep the first report of a node and only that report's edges (every
        // edge's parent is a node of the same summary).
        let mut fresh = std::collections::HashSet::new();
        for n in &t.nodes {
            if let std::collections::hash_map::Entry::Vacant(slot) = nodes.entry(n.hash) {
                slot.insert(n.clone());
                fresh.insert(n.hash);
            }
        }
        for e in &t.edges {
            assert!(
                t.nodes.iter().any(|n| n.hash == e.parent),
                "an edge without its parent node"
            );
            if fresh.contains(&e.parent) {
                parents.entry(e.child).or_default().push(e.parent);
            }
        }
    }
    fn mult(
        h: &Hash,
        tops: &HashMap<Hash, u64>,
        parents: &HashMap<Hash, Vec<Hash>>,
        memo: &mut HashMap<Hash, u64>,
    ) -> u64 {
        if let Some(m) = memo.get(h) {
            return *m;
        }
        let mut m = tops.get(h).copied().unwrap_or(0);
        for p in parents.get(h).into_iter().flatten() {
            m += mult(p, tops, parents, memo);
        }
        memo.insert(*h, m);
        m
    }
    let mut memo = HashMap::new();
    let (mut docs, mut emails, mut phones, mut messages) = (0, 0, 0, 0);
    for (h, n) in &nodes {
        let m = mult(h, &top_count, &parents, &mut memo);
        if n.document {
            docs += m;
        }
        if n.message_id.is_some() {
            messages += m;
        }
        for v in &n.values {
            match v.kind {
                leakdex_core::Kind::Email => emails += m * v.count,
                leakdex_core::Kind::Phone => phones += m * v.count,
                _ => {}
            }
        }
    }
    assert_eq!(docs, report.counts.documents.raw);
    assert_eq!(docs, truth["counts"]["documents"]["raw"].as_u64().unwrap());
    // Domains are left out of a node's values (its addresses name them).
    assert!(nodes.values().all(|n| n
        .values
        .iter()
        .all(|v| v.kind != leakdex_core::Kind::Domain)));
    assert_eq!(emails, truth["counts"]["emails"]["raw"].as_u64().unwrap());
    assert_eq!(phones, truth["counts"]["phones"]["raw"].as_u64().unwrap());
    assert_eq!(messages, report.counts.messages.raw);
    // Nothing in the graph is a path or a file name.
    let names: Vec<String> = nodes
        .values()
        .flat_map(|n| {
            n.values
                .iter()
                .flat_map(|v| [Some(v.key.clone()), v.shown.clone()].into_iter().flatten())
        })
        .collect();
    assert!(!names
        .iter()
        .any(|v| v.contains("mailboxes/") || v.ends_with(".eml")));
}
