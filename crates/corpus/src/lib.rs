//! Deterministic synthetic exposure corpora with ground truth.
//!
//! The corpus is the leaked back office of a vendor ("Northwind Systems GmbH"): staff
//! mailboxes of `.eml` messages and mbox archives, SQL backups in three dialects, CSV /
//! JSON / NDJSON exports, zip and tar.gz bundles (one zip nested in another), a `.csv.gz`,
//! exact duplicates, empty files, a Latin-1 file, a log line over 1 MB, configuration
//! with secrets — and decoys that look like addresses, phones, cards and IBANs but are
//! not. Next to the corpus directory `DIR`, [`generate`] writes `DIR.truth.json`: the
//! ground truth counted exactly by the rules of `docs/counting.md`, recorded while
//! writing (never by scanning the output).
//!
//! Same options ⇒ byte-identical files and truth.
//!
//! ```no_run
//! use leakdex_corpus::{generate, truth_path, Options};
//! let dir = std::path::Path::new("/tmp/corpus");
//! let truth = generate(dir, &Options::default())?;
//! assert_eq!(truth_path(dir), std::path::Path::new("/tmp/corpus.truth.json"));
//! println!("{} unique addresses", truth.counts.emails.unique);
//! # Ok::<(), leakdex_corpus::Error>(())
//! ```
#![deny(missing_docs)]

mod bundle;
mod documents;
mod exports;
mod mail;
mod model;
pub mod office;
mod out;
mod sql;
mod text;
mod truth;
mod values;

#[cfg(test)]
mod tests;

pub use truth::{Branch, Count, Counts, Decoys, FileEntry, Organization, Truth};

/// The organisation grouping key used for the truth (from `leakdex-core`): legal form
/// removed (`strip_legal_form`), lower-cased, letters and digits kept, `-`, `&`, `/` and
/// white space made one space, other punctuation dropped. `"O'Brien Ltd"` → `"obrien"`,
/// `"Müller & Söhne GmbH"` → `"müller söhne"`, `"Contoso S.p.A."` → `"contoso"`.
pub fn normalize_org(name: &str) -> String {
    leakdex_core::normalize_org(name)
}

use bundle::Member;
use mail::Mailer;
use model::Model;
use out::Out;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use text::Stamp;
use truth::{Kind, Sub};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Number of customer organisations (default 40).
    pub orgs: usize,
    /// Seed of every random choice (default 1).
    pub seed: u64,
    /// Approximate total size in MB (2^20 bytes); `None` = the default small corpus.
    pub size_mb: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            orgs: 40,
            seed: 1,
            size_mb: None,
        }
    }
}

/// Why a corpus could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output directory exists and is not empty (or is not a directory).
    #[error("{0}: output directory must not exist or be empty")]
    NotEmpty(PathBuf),
    /// The options cannot make a corpus.
    #[error("invalid options: {0}")]
    Options(&'static str),
    /// The truth file could not be (de)serialised.
    #[error("truth file: {0}")]
    Json(#[source] serde_json::Error),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Where the truth of the corpus in `out` lives: `<out>.truth.json` beside `out`, never
/// inside it.
pub fn truth_path(out: &Path) -> PathBuf {
    let abs;
    let dir = if out.file_name().is_some() {
        out
    } else {
        abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
        abs.as_path()
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "corpus".into());
    dir.with_file_name(format!("{name}.truth.json"))
}

/// Writes a corpus into `out` (which must not exist or be empty) and its truth to
/// [`truth_path`]`(out)`; returns the truth.
pub fn generate(out: &Path, opts: &Options) -> Result<Truth, Error> {
    generate_inner(out, opts, false).map(|(t, _)| t)
}

type FromLog = Vec<(String, Option<String>)>;

pub(crate) fn generate_inner(
    dir: &Path,
    opts: &Options,
    log: bool,
) -> Result<(Truth, FromLog), Error> {
    if opts.orgs == 0 {
        return Err(Error::Options("orgs must be at least 1"));
    }
    if dir.exists() {
        let mut it = std::fs::read_dir(dir).map_err(|_| Error::NotEmpty(dir.to_path_buf()))?;
        if it.next().is_some() {
            return Err(Error::NotEmpty(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let m = Model::new(&mut rng, opts.orgs);
    let start = Stamp::base((opts.seed % 60) as i64);
    let mut out = Out::new(dir);
    if log {
        out.from_log = Some(Vec::new());
    }
    let mut mailer = Mailer::new(start);
    write_corpus(&mut out, &m, &mut rng, &mut mailer, start, opts)?;

    let mut groups = vec![(
        normalize_org(&m.vendor.name),
        vec![Branch {
            name: m.vendor.name.clone(),
            domain: m.vendor.domain.clone(),
            country: m.vendor.country.into(),
        }],
    )];
    for o in &m.orgs {
        groups.push((
            normalize_org(&o.base),
            o.branches
                .iter()
                .map(|b| Branch {
                    name: b.name.clone(),
                    domain: b.domain.clone(),
                    country: b.country.into(),
                })
                .collect(),
        ));
    }
    let from_log = out.from_log.take().unwrap_or_default();
    let truth = out
        .total
        .into_truth(opts.seed, opts.orgs, opts.size_mb, &groups);
    let tp = truth_path(dir);
    let f = std::fs::File::create(&tp).map_err(|e| Error::io(&tp, e))?;
    let mut w = std::io::BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, &truth).map_err(Error::Json)?;
    std::io::Write::write_all(&mut w, b"\n").map_err(|e| Error::io(&tp, e))?;
    std::io::Write::flush(&mut w).map_err(|e| Error::io(&tp, e))?;
    Ok((truth, from_log))
}

fn io_at(path: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(Path::new(path), e)
}

fn write_corpus(
    out: &mut Out,
    m: &Model,
    rng: &mut ChaCha8Rng,
    mailer: &mut Mailer,
    start: Stamp,
    opts: &Options,
) -> Result<(), Error> {
    let n = m.orgs.len();
    let day = start.date();

    // Mailboxes and mbox archives.
    let kept = mail::mailboxes(out, m, rng, mailer, (n * 4).max(40))?;
    for s in m.staff.iter().take(2) {
        let login = s.email.split('@').next().unwrap_or("staff");
        let msgs = mail::archive_messages(m, rng, mailer, 12);
        let (bytes, sub) = mail::mbox_bytes(&msgs);
        out.write(&format!("archive/{login}-2023.mbox"), &bytes, &sub)?;
    }

    // SQL backups.
    out.stream(
        &format!("backups/sql/crm_mssql_{day}.sql"),
        Kind::Sql,
        |w, sub| sql::write_mssql(w, sub, m, rng, n * 10, start),
    )?;
    out.stream(
        &format!("backups/sql/crm_mysql_{day}.sql"),
        Kind::Sql,
        |w, sub| sql::write_mysql(w, sub, m, rng, m.contacts.len() * 3, n * 20, true),
    )?;
    out.stream(
        &format!("backups/sql/crm_pg_{day}.sql"),
        Kind::Sql,
        |w, sub| sql::write_pg(w, sub, m, rng, n * 5),
    )?;

    // Exports and loose files.
    let (b, s) = exports::contacts_semicolon(m, rng);
    out.write_doc("exports/contacts_2024.csv", Kind::Csv, &b, s)?;
    let (b, s) = exports::customers_comma(m, rng);
    let customers = out.write_doc("exports/customers.csv", Kind::Csv, &b, s)?;
    let (b, s) = exports::crm_json(m, &format!("{day}T02:00:00Z"));
    out.write_doc("exports/crm_export.json", Kind::Json, &b, s)?;
    out.stream("exports/events.ndjson", Kind::Ndjson, |w, sub| {
        exports::events_ndjson(w, sub, m, rng, n * 10, &day)
    })?;
    let (b, s) = exports::pricelist_html(m);
    out.write_doc("exports/pricelist_2024.html", Kind::Html, &b, s)?;
    let (b, s) = exports::latin1_notes(m);
    out.write_doc("exports/notes_latin1.txt", Kind::Text, &b, s)?;
    out.stream("logs/sync-2024-03.log", Kind::Text, |w, sub| {
        exports::big_log(w, sub, m, rng, &day)
    })?;
    let (b, s) = exports::app_env(rng);
    let env = out.write_doc("config/app.env", Kind::Env, &b, s)?;
    let (b, s) = exports::private_key(rng);
    out.write_doc("config/deploy_key.pem", Kind::Text, &b, s)?;

    // Business documents: office files, PDFs and Outlook messages.
    let year: i32 = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2024);
    documents::write(out, m, rng, year)?;

    // Bundles.
    let zip_sub = bundles(out, m, rng, mailer, start, kept)?;

    // Exact duplicates and empty files.
    out.duplicate(
        "exports/customers.csv",
        "backups/old/customers (1).csv",
        &customers,
    )?;
    out.duplicate(
        "exports/customers.csv",
        "exports/archive/customers.csv",
        &customers,
    )?;
    out.duplicate(
        "bundles/export_2024-03.zip",
        "backups/old/export_2024-03.zip",
        &zip_sub,
    )?;
    out.duplicate("config/app.env", "backups/config/app.env", &env)?;
    let staff0 = m.staff[0].email.split('@').next().unwrap_or("staff");
    for p in [
        "exports/empty.csv".to_string(),
        "logs/empty.log".to_string(),
        format!("mailboxes/{staff0}/Drafts/0001.eml"),
    ] {
        out.write_doc(&p, Kind::Empty, &[], Sub::default())?;
    }

    if let Some(mb) = opts.size_mb {
        bulk(out, m, rng, mailer, mb.saturating_mul(1 << 20))?;
    }
    Ok(())
}

/// Zip (with a nested zip), tar.gz and csv.gz bundles. Returns the outer zip's truth.
fn bundles(
    out: &mut Out,
    m: &Model,
    rng: &mut ChaCha8Rng,
    mailer: &mut Mailer,
    start: Stamp,
    kept: Option<(String, Vec<u8>, Sub)>,
) -> Result<Sub, Error> {
    let n = m.orgs.len();
    let fresh_eml = |rng: &mut ChaCha8Rng, mailer: &mut Mailer, org: usize| {
        let (r, _, _) = mailer.compose(m, rng, org);
        (r.bytes(None, None), r.member_sub())
    };

    // Inner zip: a JSON with alternate key names and a note.
    let mut inner_json = Sub::default();
    inner_json.doc_type("customer_list");
    let mut arr = Vec::new();
    for o in m.orgs.iter().take(n.div_ceil(2)) {
        let p = &m.contacts[o.contacts[0]];
        let b = m.branch_of(p);
        inner_json.org(&b.name);
        inner_json.person(&p.display);
        inner_json.email(&p.email, &p.domain);
        inner_json.phone(&p.phone.e164);
        arr.push(
            serde_json::json!({"organisation": b.name, "contact": p.display,
            "email": p.email, "phone": p.phone.intl}),
        );
    }
    let inner_bytes = serde_json::to_vec_pretty(&arr).map_err(Error::Json)?;
    let mut note = Sub::default();
    let s = &m.staff[0];
    note.email(&s.email, &s.domain);
    let note_bytes = format!("Export requested by {} for the migration.\n", s.email).into_bytes();
    let inner_members = vec![
        Member::new("inner/customers.json", Kind::Json, inner_bytes, inner_json),
        Member::new("inner/notes.txt", Kind::Text, note_bytes, note),
    ];
    let (inner_zip, inner_sub) = bundle::zip(&inner_members, start).map_err(io_at("inner.zip"))?;

    // Outer zip.
    let mut csv_sub = Sub::default();
    csv_sub.doc_type("customer_list");
    let mut csv = String::from("contact_name,email,mobile,country,customer\n");
    for p in m.contacts.iter().skip(1).step_by(2) {
        let b = m.branch_of(p);
        csv_sub.person(&p.display);
        csv_sub.email(&p.email, &p.domain);
        csv_sub.phone(&p.phone.e164);
        csv_sub.org(&b.name);
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            exports::csv_field(&p.display, ','),
            p.email,
            p.phone.national,
            p.country,
            exports::csv_field(&b.name, ',')
        ));
    }
    let (eml, eml_sub) = fresh_eml(rng, mailer, 0);
    let mut readme = Sub::default();
    readme.email(&m.staff[1].email, &m.staff[1].domain);
    let readme_bytes =
        format!("CRM export 2024-03\r\nQuestions: {} \r\n", m.staff[1].email).into_bytes();
    let members = vec![
        Member::new("export/contacts.csv", Kind::Csv, csv.into_bytes(), csv_sub),
        Member::new("export/mail/0001.eml", Kind::Eml, eml, eml_sub),
        Member::new("export/readme.txt", Kind::Text, readme_bytes, readme),
        Member::new("export/empty.txt", Kind::Empty, Vec::new(), Sub::default()),
        Member {
            name: "export/nested/inner.zip".into(),
            bytes: inner_zip,
            sub: inner_sub,
        },
    ];
    let (zip_bytes, zip_sub) = bundle::zip(&members, start).map_err(io_at("export.zip"))?;
    out.write("bundles/export_2024-03.zip", &zip_bytes, &zip_sub)?;

    // tar.gz: a copy of a mailbox message, a new one, an NDJSON and a PNG.
    let mut members = Vec::new();
    if let Some((path, bytes, sub)) = kept {
        let name = format!("mail/{}", path.trim_start_matches("mailboxes/"));
        members.push(Member::new(&name, Kind::Eml, bytes, sub));
    }
    let (eml, eml_sub) = fresh_eml(rng, mailer, 1 % n);
    members.push(Member::new("mail/new/0001.eml", Kind::Eml, eml, eml_sub));
    let (nd, nd_sub) = exports::contacts_ndjson(m, 0..n.min(10));
    members.push(Member::new("contacts.ndjson", Kind::Ndjson, nd, nd_sub));
    members.push(Member::new(
        "data/logo.png",
        Kind::Png,
        mail::PNG.to_vec(),
        Sub::default(),
    ));
    let (tgz, tgz_sub) = bundle::tar_gz(&members, start).map_err(io_at("mail_backup.tar.gz"))?;
    out.write("bundles/mail_backup.tar.gz", &tgz, &tgz_sub)?;

    // csv.gz of all contacts in the `;` export format (different bytes: no BOM).
    let (csv, csv_sub) = exports::contacts_semicolon(m, rng);
    let csv = csv[3..].to_vec();
    let member = Member::new("contacts_full.csv", Kind::Csv, csv, csv_sub);
    let (gz, gz_sub) = bundle::gz(&member).map_err(io_at("contacts_full.csv.gz"))?;
    out.write("bundles/contacts_full.csv.gz", &gz, &gz_sub)?;
    Ok(zip_sub)
}

/// Fills the corpus up to about `target` bytes with SQL parts and mbox archives.
fn bulk(
    out: &mut Out,
    m: &Model,
    rng: &mut ChaCha8Rng,
    mailer: &mut Mailer,
    target: u64,
) -> Result<(), Error> {
    const CHUNK: u64 = 32 << 20;
    let mut part = 0;
    while out.bytes < target {
        part += 1;
        let left = (target - out.bytes).min(CHUNK);
        if part % 4 == 0 {
            let n = (left / 4000).clamp(1, 4000) as usize;
            let msgs = mail::archive_messages(m, rng, mailer, n);
            let (bytes, sub) = mail::mbox_bytes(&msgs);
            out.write(&format!("archive/bulk/part-{part:04}.mbox"), &bytes, &sub)?;
        } else {
            let contacts = ((left / 2) / 150).max(1) as usize;
            let orders = ((left / 2) / 85).max(1) as usize;
            out.stream(
                &format!("backups/sql/archive/crm_part_{part:04}.sql"),
                Kind::Sql,
                |w, sub| sql::write_mysql(w, sub, m, rng, contacts, orders, false),
            )?;
        }
    }
    Ok(())
}
