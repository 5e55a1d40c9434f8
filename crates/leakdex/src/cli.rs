//! The command line, as clap types. Help text here is the user's manual: keep it true.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// leakdex — find out who was exposed in a data leak, and what.
///
/// Scan a pile of exposed files (a leaked cloud container, a backup, a mail archive),
/// count the people, organisations and kinds of data in it — raw references and unique
/// entities side by side — and keep only metadata.
///
/// Start with `leakdex corpus generate --out demo-corpus` and `leakdex scan demo-corpus`.
#[derive(Debug, Parser)]
#[command(
    name = "leakdex",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// More log output on stderr (-v info, -vv debug). LEAKDEX_LOG=filter overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bar and only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// The exposure index: sqlite://FILE (default) or postgres://… (used by the index
    /// commands; accepted everywhere for scripts' convenience).
    #[arg(
        long,
        global = true,
        env = "LEAKDEX_DB",
        default_value = "sqlite://leakdex.db"
    )]
    pub db: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories, archives or stdin (`-`) and report what is exposed.
    ///
    /// Containers (zip, tar, tar.gz, gz, mbox) and e-mail attachments are opened
    /// recursively; every blob is identified by its bytes, not its name. Identical blobs
    /// are decoded once and counted every time they occur (raw) and once (unique); see
    /// docs/counting.md. Blobs that cannot be decoded are listed as unreadable with a
    /// reason and the scan goes on. Exit code 0 when the scan completed (even with
    /// unreadable blobs), 1 when a source cannot be read, 2 for usage errors.
    ///
    /// Examples:
    ///   leakdex scan ./exposed-container
    ///   leakdex scan backup.zip --json > report.json
    ///   leakdex scan mail.mbox --findings findings.jsonl
    ///   cat dump.sql | leakdex scan -
    #[command(verbatim_doc_comment)]
    Scan(ScanArgs),
    /// Find out whether cloud storage containers can be listed or read by anyone on the
    /// internet (Azure Blob, S3, GCS), with the evidence; with --scan, what sensitive data
    /// they expose, streamed into the scanner without a local copy.
    ///
    /// Every request is anonymous. Object names leak too: they are printed only with
    /// --show-names.
    ///
    /// Examples:
    ///   leakdex audit az://contosobackup/crm s3://contoso-exports gs://contoso-data
    ///   leakdex audit --org contoso --json
    ///   leakdex audit s3://contoso-exports --scan --max-objects 200
    ///   leakdex audit --azure-endpoint http://127.0.0.1:10000 az://devstoreaccount1/public
    #[command(verbatim_doc_comment)]
    Audit(AuditArgs),
    /// Synthetic exposure corpora with ground truth, for demos, tests and benchmarks.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Scan sources and load what was found — metadata only — into the index (`--db`).
    ///
    /// Stores, per breach: accounts (e-mail, its SHA-1, domain), per-domain counts, raw and
    /// unique counts per kind; phones, names, cards, IBANs and secrets only as keyed
    /// hashes and counts. Never stores content, file names or paths.
    ///
    /// The load is idempotent (re-running it changes nothing), incremental (a second
    /// source adds only top-level files new to the breach) and resumable (after a crash
    /// or kill, re-run the same command: committed files are skipped). See
    /// docs/counting.md, "Ingest".
    ///
    /// Examples:
    ///   leakdex ingest ./exposed-container --breach ContosoCrm --title "Contoso CRM backup"
    ///   leakdex --db postgres://user@host/leakdex ingest dump.sql --breach ContosoCrm
    ///   leakdex breach show ContosoCrm
    #[command(verbatim_doc_comment)]
    Ingest(IngestArgs),
    /// List, show, edit or delete breaches in the index.
    #[command(subcommand)]
    Breach(BreachCommand),
    /// Look up an e-mail address (its breaches and data classes), a domain (per breach:
    /// accounts, occurrences, documents, data classes — never the addresses) or a
    /// company (organisation groups whose name contains it, each with its branch domains:
    /// contoso.de, contoso.fr and contoso.co.uk are one group, "contoso").
    ///
    /// Examples:
    ///   leakdex search alice@contoso.de
    ///   leakdex search contoso.de --json
    ///   leakdex search "Contoso GmbH"
    #[command(verbatim_doc_comment)]
    Search(SearchArgs),
    /// Export the index's metadata — never content: accounts, domains or organisation
    /// groups × breaches as JSON lines, CSV or Parquet, or k-anonymity range files for
    /// static hosting.
    ///
    /// Range files (`export range --out DIR`): one file per 5-hex-digit prefix of the
    /// upper-case SHA-1 of the lower-cased address, named by the prefix (`DIR/A94A8`),
    /// one line per address: the remaining 35 hex digits, a colon, and the names of its
    /// breaches separated by commas (`FE5CCB19BA61C4C0873D391E987982FBBD3:Adobe,Contoso`).
    /// Sensitive and retired breaches are left out. Serve DIR from any object store or
    /// CDN: a client hashes the address and fetches only its prefix's file.
    ///
    /// Examples:
    ///   leakdex export --table accounts --format csv --out accounts.csv
    ///   leakdex export --table domains --out domains.jsonl
    ///   leakdex export --table organizations --format parquet --out orgs.parquet
    ///   leakdex export range --out public/range
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
    /// Run the search service: an HIBP API v3-compatible API under /api/v3, the native
    /// API under /api/v1, /openapi.json, /metrics and /healthz.
    ///
    /// Existing "Have I Been Pwned" clients work by changing their base URL to
    /// http://ADDR/api/v3. Account searches need a key (`leakdex keys create`); a
    /// domain's addresses only go to a key that has verified the domain (DNS TXT record,
    /// e-mailed code or /.well-known file: POST /api/v1/domains/DOMAIN/verify/start).
    /// Stops gracefully on Ctrl-C or SIGTERM. Access logs go to stderr.
    ///
    /// Examples:
    ///   leakdex serve
    ///   leakdex serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
    ///   leakdex serve --smtp-url smtp://mail.example.org:25 --mail-from leakdex@example.org
    ///   curl -H 'user-agent: me' http://127.0.0.1:8080/api/v3/breaches
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// The first thing to run: generate a synthetic leak, load it, and serve the web UI.
    ///
    /// Generates a corpus (a vendor's CRM backup for --orgs organisations, with ground
    /// truth) into DIR/corpus, ingests it as the breach "ContosoCrmDemo" into
    /// DIR/index.db, creates a demo API key (saved in DIR/demo-key.txt) that has verified
    /// the domain with the most exposed addresses, prints addresses and domains to try,
    /// and serves the UI and the API on --addr. Re-running reuses all of it.
    ///
    /// Example: cargo run --release -- demo      (then open http://127.0.0.1:8080)
    #[command(verbatim_doc_comment)]
    Demo(DemoArgs),
    /// Create, list and revoke API keys; mark a domain verified for a key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Show who read which verified domain's data, and when.
    AuditLog(AuditLogArgs),
    /// Alert subscriptions of verified domains (webhooks, e-mail).
    ///
    /// A subscribed domain is told once about every breach that names it from then on:
    /// the alert is written to a durable outbox in the same transaction as the ingest
    /// that found the domain, and `leakdex serve` (or `leakdex notify run`) delivers it,
    /// retrying for up to a day. Webhooks are signed as Standard Webhooks
    /// (docs/alerts.md).
    #[command(subcommand)]
    Subscriptions(SubscriptionsCommand),
    /// The alert outbox: deliver, preview, release held alerts, list, dead letters.
    ///
    /// Examples:
    ///   leakdex ingest dump/ --breach ContosoCrm --hold-alerts
    ///   leakdex notify preview ContosoCrm
    ///   leakdex notify release ContosoCrm
    ///   leakdex notify failed
    ///   leakdex notify retry --all
    #[command(subcommand, verbatim_doc_comment)]
    Notify(NotifyCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo keeps its corpus, index and key.
    #[arg(long, default_value = "leakdex-demo", value_name = "DIR")]
    pub dir: PathBuf,
    /// Address and port to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Organisations in the generated corpus.
    #[arg(long, default_value_t = 40)]
    pub orgs: usize,
    /// Seed of the generated corpus.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Threads accepting and serving connections, each with its own socket on the port
    /// (0: one per core). Range lookups are answered on them; database routes run on
    /// the shared runtime. HTTPS is served by one.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// TLS certificate chain (PEM); serves HTTPS with --tls-key.
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// Requests per minute per client IP on the endpoints that need no key.
    #[arg(long, default_value_t = 600)]
    pub ip_rpm: u32,
    /// Longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    pub request_timeout: u64,
    /// DNS server for verification TXT lookups (default: the system's resolvers).
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Scheme of the /.well-known verification file check (http only for tests).
    #[arg(long, default_value = "https", value_parser = ["https", "http"])]
    pub verify_http_scheme: String,
    /// Port of the /.well-known check (default: the scheme's).
    #[arg(long)]
    pub verify_http_port: Option<u16>,
    /// Connect to this IP for the /.well-known check instead of resolving the domain
    /// (tests).
    #[arg(long, value_name = "IP")]
    pub verify_http_connect: Option<std::net::IpAddr>,
    /// Hours a verification challenge stays open.
    #[arg(long, default_value_t = 24)]
    pub verify_ttl_hours: u64,
    /// Do not deliver alerts from this server (run `leakdex notify run` elsewhere).
    #[arg(long)]
    pub no_alerts: bool,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// The mail relay (verification codes and e-mail alerts).
#[derive(Debug, Args)]
pub struct MailArgs {
    /// SMTP relay for e-mailed verification codes and e-mail alerts, e.g.
    /// smtp://127.0.0.1:25, smtps://user:pass@host or smtp://host:587?tls=required.
    /// Without it, e-mail verification is off and e-mail alerts wait in the outbox.
    #[arg(long, env = "LEAKDEX_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Sender of verification and alert e-mails.
    #[arg(long, default_value = "leakdex <no-reply@localhost>")]
    pub mail_from: String,
}

/// How alerts are delivered (`serve` and `notify run`).
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// Longest one delivery attempt may take (ms, s, m, h).
    #[arg(long, default_value = "10s", value_parser = crate::size::duration, value_name = "DURATION")]
    pub alert_timeout: std::time::Duration,
    /// How often the outbox is checked for alerts to send.
    #[arg(long, default_value = "2s", value_parser = crate::size::duration, value_name = "DURATION")]
    pub alert_poll: std::time::Duration,
    /// Delay before the first retry of a failed alert; each retry doubles it (with
    /// jitter), up to --alert-retry-cap.
    #[arg(long, default_value = "30s", value_parser = crate::size::duration, value_name = "DURATION")]
    pub alert_retry_base: std::time::Duration,
    /// Longest delay between two attempts.
    #[arg(long, default_value = "1h", value_parser = crate::size::duration, value_name = "DURATION")]
    pub alert_retry_cap: std::time::Duration,
    /// How long a failing alert is retried before it becomes a dead letter
    /// (`leakdex notify failed`, `leakdex notify retry`).
    #[arg(long, default_value = "24h", value_parser = crate::size::duration, value_name = "DURATION")]
    pub alert_give_up: std::time::Duration,
    /// Deliver webhooks to loopback, private and link-local addresses (refused by
    /// default: a subscriber could otherwise make the server call into its network).
    #[arg(long)]
    pub webhook_allow_private: bool,
}

#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Subscribe a verified domain to alerts: a webhook, e-mail addresses, or both.
    /// Prints the webhook signing secret (`whsec_…`).
    ///
    /// Example: leakdex subscriptions add --key-id 1 --domain contoso.de \
    ///            --webhook https://hooks.contoso.de/leakdex --email security@contoso.de
    #[command(verbatim_doc_comment)]
    Add {
        /// The key that has verified the domain.
        #[arg(long)]
        key_id: i64,
        /// The verified registrable domain.
        #[arg(long)]
        domain: String,
        /// Webhook URL (http:// or https://) to POST signed alerts to.
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
        /// Mailbox to e-mail alerts to (repeat for several).
        #[arg(long = "email", value_name = "ADDRESS")]
        emails: Vec<String>,
        /// List the domain's exposed addresses in each alert.
        #[arg(long)]
        include_addresses: bool,
    },
    /// List subscriptions (never their secrets).
    List {
        /// Only this key's.
        #[arg(long)]
        key_id: Option<i64>,
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print a subscription's webhook signing secret.
    Secret {
        /// Subscription id.
        id: i64,
    },
    /// Remove a subscription; alerts not yet sent are cancelled.
    Remove {
        /// Subscription id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Deliver every alert that is due, once, and exit (for cron, or when no server
    /// runs). Failures are retried by a later run or a server.
    Run {
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        delivery: DeliveryArgs,
    },
    /// Which organisations and domains a breach alerts, with their counts and each
    /// subscription's delivery state — check before `notify release`.
    Preview {
        /// Breach name.
        breach: String,
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Send a breach's held alerts (ingested with --hold-alerts).
    Release {
        /// Breach name.
        breach: String,
    },
    /// Alerts and their delivery state, newest first.
    List {
        /// Only this state: held, pending, sending, delivered, dead or cancelled.
        #[arg(long)]
        state: Option<String>,
        /// Only this breach's.
        #[arg(long)]
        breach: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Dead letters: alerts that failed for the whole retry window.
    Failed {
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Queue dead letters again, with a fresh retry window.
    Retry {
        /// Notification ids (see `notify failed`).
        #[arg(required_unless_present = "all")]
        ids: Vec<i64>,
        /// Every dead letter.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it — once: only its hash is stored.
    ///
    /// Example: leakdex keys create --label "SOC SIEM" --rpm 60
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        label: String,
        /// Requests per minute the key may make.
        #[arg(long, default_value_t = 60)]
        rpm: u32,
    },
    /// List keys (id, prefix, label, limit, verified domains) — never the keys.
    List {
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id.
    Revoke {
        /// The key's id (see `leakdex keys list`).
        id: i64,
    },
    /// Mark DOMAIN as verified for a key without a challenge (operator's override, e.g.
    /// for the organisation's own domains).
    AddDomain {
        /// The key's id.
        #[arg(long)]
        key_id: i64,
        /// The registrable domain.
        domain: String,
    },
}

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// Only accesses to this domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// At most this many entries (the newest).
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    /// JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Targets: az://ACCOUNT/CONTAINER, https://ACCOUNT.blob.core.windows.net/CONTAINER,
    /// s3://BUCKET, gs://BUCKET.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Read more targets from FILE, one a line (`#` comments).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Enumerate candidate account, bucket and container names from an organisation
    /// keyword with common affixes (backup, prod, data, crm, files, dev…) and audit them.
    #[arg(long, value_name = "KEYWORD")]
    pub org: Option<String>,
    /// More affixes for --org, one a line.
    #[arg(long, value_name = "FILE", requires = "org")]
    pub wordlist: Option<PathBuf>,
    /// Print one JSON array of outcomes instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print object names (in listings and evidence). They leak too.
    #[arg(long)]
    pub show_names: bool,
    /// Object names to try reading when a container is not listable (Azure "blob"
    /// access, per-object ACLs).
    #[arg(long = "object", value_name = "NAME")]
    pub objects: Vec<String>,
    /// S3-compatible endpoint, path-style (`{URL}/{bucket}`), e.g. an emulator.
    #[arg(long, value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// Azure endpoint, path-style (`{URL}/{account}/{container}`), e.g. Azurite.
    #[arg(long, value_name = "URL")]
    pub azure_endpoint: Option<String>,
    /// GCS JSON API endpoint (`{URL}/storage/v1/b/{bucket}/o`), e.g. an emulator.
    #[arg(long, value_name = "URL")]
    pub gcs_endpoint: Option<String>,
    /// Most objects one listing pages through.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub max_list: usize,
    /// DNS server (IP:PORT) asked whether Azure accounts exist (default: the system's
    /// resolver). With an --azure-endpoint, accounts are checked only when this is given.
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<std::net::SocketAddr>,
    /// Targets audited at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,
    /// Most requests per second to any one host.
    #[arg(long, default_value_t = 20.0, value_name = "N")]
    pub rate: f64,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub timeout: u64,
    /// Retries of a request answered 429, 503 or SlowDown, or timed out.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub retries: u32,
    /// Stream each readable object into the scanner (no local copy) and report data
    /// classes, document types and sensitivity per container.
    #[arg(long)]
    pub scan: bool,
    /// --scan: most objects read per container.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_objects: usize,
    /// --scan: most bytes read of one object (K, M, G).
    #[arg(long, default_value = "64M", value_parser = crate::size::parse)]
    pub max_bytes_per_object: u64,
    /// --scan: most bytes read per container (K, M, G).
    #[arg(long, default_value = "1G", value_parser = crate::size::parse)]
    pub max_total_bytes: u64,
    /// --scan: which objects: the first in listing order or a (reproducible) random sample.
    #[arg(long, default_value = "first", value_parser = ["first", "random"])]
    pub sample: String,
    /// With --scan: also load what was found — metadata only — into the index (`--db`)
    /// as breach NAME (created if new; idempotent like `leakdex ingest`).
    #[arg(long, requires = "breach")]
    pub ingest: bool,
    /// The breach --ingest loads into.
    #[arg(long, value_name = "NAME", requires = "ingest")]
    pub breach: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories (recursive) or `-` for stdin.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,
    /// Print one JSON report object (raw/unique counts, data classes, unreadable list)
    /// instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Also write every finding as a JSON line: kind, value (cards, IBANs and secrets
    /// masked), document (BLAKE3), path, context.
    #[arg(long, value_name = "FILE.jsonl")]
    pub findings: Option<PathBuf>,
    /// Also write every document as a JSON line: its type (invoice, signed contract,
    /// customer list, …) with confidence and reasons, its data classes and its
    /// sensitivity score (0–100) with reasons.
    #[arg(long, value_name = "FILE.jsonl")]
    pub documents: Option<PathBuf>,
    /// List this many of the most sensitive documents and files in the report.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How the scanner treats hostile input (shared by `scan` and `ingest`).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Deepest nesting of archives and attachments to open.
    #[arg(long, default_value_t = 5)]
    pub max_depth: usize,
    /// Most bytes one archive may expand to (K, M, G suffixes).
    #[arg(long, default_value = "8G", value_parser = crate::size::parse)]
    pub max_archive_bytes: u64,
    /// Most an archive may expand relative to its size (zip-bomb guard; archives under
    /// 64 MiB of output are exempt).
    #[arg(long, default_value_t = 100)]
    pub max_ratio: u64,
    /// Largest archive member or attachment held in memory.
    #[arg(long, default_value = "512M", value_parser = crate::size::parse)]
    pub max_member_bytes: u64,
    /// Longest text segment; longer lines are cut at white space.
    #[arg(long, default_value = "64K", value_parser = crate::size::parse)]
    pub max_segment_bytes: u64,
    /// Time budget for decoding one document, in seconds.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub blob_timeout: u64,
    /// Time budget for one PDF or workbook, in seconds. Their parsers run in a separate
    /// worker process (crashes and hangs cost the worker, never the scan); a file that
    /// overruns is listed as unreadable.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub parser_timeout: u64,
    /// Run PDF and workbook parsers in a thread of this process instead of a worker
    /// process (faster to start; a parser that aborts ends the scan).
    #[arg(long)]
    pub parsers_in_process: bool,
    /// Region (ISO 3166 alpha-2) for national phone numbers when no country column or
    /// sender ccTLD says otherwise.
    #[arg(long, default_value = "US", value_name = "CC")]
    pub default_region: String,
}

#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Write a deterministic synthetic leak (a vendor's sales back office: mailboxes,
    /// SQL backups, CSV/JSON exports, bundles, duplicates, decoys) to DIR, and its
    /// ground truth to DIR.truth.json beside it.
    ///
    /// Example:
    ///   leakdex corpus generate --out demo-corpus --orgs 40 --seed 7
    ///   leakdex scan demo-corpus --json   # compare with demo-corpus.truth.json
    #[command(verbatim_doc_comment)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to create (must not exist or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of customer organisations.
    #[arg(long, default_value_t = 40)]
    pub orgs: usize,
    /// Random seed: the same seed gives byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scale the corpus to about this many megabytes (for benchmarks).
    #[arg(long, value_name = "MB")]
    pub size: Option<u64>,
    /// Replace DIR if it holds an earlier generated corpus (one with DIR.truth.json
    /// beside it); any other non-empty DIR is still refused.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, directories (recursive) or `-` for stdin.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,
    /// The breach to load into (created if new): letters, digits, '-', '_', '.'.
    #[arg(long, value_name = "NAME")]
    pub breach: String,
    /// Title for people (default: the name).
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// When the exposure happened, YYYY-MM-DD (default: today, for a new breach).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub breach_date: Option<String>,
    /// Description (HTML allowed, as in HIBP).
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Domain of the exposed service or organisation.
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,
    /// Print the breach as JSON (as `breach show --json`) instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Hold the alerts this load owes subscribed domains until an operator checks them
    /// (`leakdex notify preview BREACH`) and sends them (`leakdex notify release BREACH`).
    #[arg(long)]
    pub hold_alerts: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum BreachCommand {
    /// Every breach: name, accounts, data classes, flags.
    List {
        /// One JSON array of HIBP-style breach objects.
        #[arg(long)]
        json: bool,
    },
    /// One breach with its counts explained: raw references vs unique entities per kind,
    /// duplicate documents and messages, document types, top domains.
    Show {
        /// Breach name.
        name: String,
        /// One JSON object: the HIBP v3 Breach fields plus Counts and DocumentTypes.
        #[arg(long)]
        json: bool,
    },
    /// Edit a breach's catalogue entry (HIBP fields). Only given options change.
    ///
    /// Example:
    ///   leakdex breach update ContosoCrm --sensitive --verified --title "Contoso CRM"
    #[command(verbatim_doc_comment)]
    Update(UpdateArgs),
    /// Seal a finished breach: keep its counts, accounts, domains and organisations, drop
    /// the blob graph behind them (content hashes, per-blob values, checkpoints).
    ///
    /// Do it once the raw data is deleted and nothing more will be loaded into the
    /// breach: the graph is what makes a load idempotent, incremental and resumable, so
    /// further ingests into a sealed breach are refused. The counts stay exactly as they
    /// are; the index shrinks (by ~75% for the 1 GB benchmark corpus).
    ///
    /// Example:
    ///   leakdex ingest ./exposed --breach ContosoCrm && leakdex breach seal ContosoCrm
    #[command(verbatim_doc_comment)]
    Seal {
        /// Breach name.
        name: String,
    },
    /// Delete a breach and every piece of metadata no other breach needs.
    Delete {
        /// Breach name.
        name: String,
    },
}

/// `--flag` / `--no-flag` pairs for the HIBP booleans.
macro_rules! flag_pair {
    ($($field:ident, $no:ident, $long:literal, $nolong:literal, $help:literal;)*) => {
        #[derive(Debug, Args)]
        pub struct UpdateArgs {
            /// Breach name.
            pub name: String,
            /// New title.
            #[arg(long)]
            pub title: Option<String>,
            /// New domain.
            #[arg(long)]
            pub domain: Option<String>,
            /// New breach date, YYYY-MM-DD.
            #[arg(long, value_name = "YYYY-MM-DD")]
            pub breach_date: Option<String>,
            /// New description.
            #[arg(long)]
            pub description: Option<String>,
            /// New logo URL.
            #[arg(long)]
            pub logo_path: Option<String>,
            $(
                #[doc = $help]
                #[arg(long = $long, overrides_with = stringify!($no))]
                pub $field: bool,
                #[doc = concat!("Clear ", $long, ".")]
                #[arg(long = $nolong)]
                pub $no: bool,
            )*
        }

        impl UpdateArgs {
            /// The requested changes.
            pub fn update(&self) -> leakdex_index::BreachUpdate {
                leakdex_index::BreachUpdate {
                    title: self.title.clone(),
                    domain: self.domain.clone(),
                    breach_date: self.breach_date.clone(),
                    description: self.description.clone(),
                    logo_path: self.logo_path.clone(),
                    $($field: if self.$field { Some(true) } else if self.$no { Some(false) } else { None },)*
                }
            }
        }
    };
}

flag_pair! {
    is_verified, no_verified, "verified", "no-verified", "Mark verified (HIBP IsVerified).";
    is_fabricated, no_fabricated, "fabricated", "no-fabricated", "Mark fabricated (IsFabricated).";
    is_sensitive, no_sensitive, "sensitive", "no-sensitive", "Mark sensitive: hidden from public account searches (IsSensitive).";
    is_retired, no_retired, "retired", "no-retired", "Mark retired: hidden from account searches (IsRetired).";
    is_spam_list, no_spam_list, "spam-list", "no-spam-list", "Mark a spam list (IsSpamList).";
    is_malware, no_malware, "malware", "no-malware", "Mark malware-sourced (IsMalware).";
    is_subscription_free, no_subscription_free, "subscription-free", "no-subscription-free", "Mark subscription-free (IsSubscriptionFree).";
    is_stealer_log, no_stealer_log, "stealer-log", "no-stealer-log", "Mark a stealer log (IsStealerLog).";
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// An e-mail address, a domain, or a company name (matched on its normalised form,
    /// legal form ignored; branches under other ccTLDs grouped).
    #[arg(value_name = "EMAIL|DOMAIN|COMPANY")]
    pub query: String,
    /// One JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: Option<ExportCommand>,
    /// Which table: `accounts` (address, SHA-1, domain, breach, occurrences), `domains`
    /// (domain, breach, accounts, occurrences, documents, messages) or `organizations`
    /// (organisation key, breach, branches, comma-separated branch domains, accounts,
    /// occurrences).
    #[arg(long, value_enum, default_value = "accounts")]
    pub table: ExportTable,
    /// `jsonl` (one object a line), `csv` (with a header row) or `parquet` (typed
    /// columns, Snappy-compressed; for DuckDB, pandas, Spark).
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// File to write; `-` for stdout.
    #[arg(long, default_value = "-", value_name = "PATH")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write k-anonymity range files (see `leakdex export --help` for the format).
    Range {
        /// Directory to write the range files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportTable {
    Accounts,
    Domains,
    Organizations,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Parquet,
}
